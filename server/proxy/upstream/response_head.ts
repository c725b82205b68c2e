/**
 * An HTTP/1.1 response head as the upstream client reads it (RFC 9112 §4, §5): the status line and the header fields,
 * checked for what a client may pass on, and whether the connection stays open after the response.
 *
 * @module
 */
import type { HeaderList } from "./types.ts";

/** A response head: status line and header fields (names lowercase, in the order received). */
export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HeaderPairs;
  /** False for HTTP/1.0 or `Connection: close`: the connection ends with this response. */
  keepAlive: boolean;
  /** The upstream's idle timeout from `Keep-Alive: timeout=N`, in ms, when it sent one. */
  idleTimeoutMs?: number;
}

/** Header fields as received, read like `Headers`. */
export class HeaderPairs implements HeaderList {
  readonly pairs: [string, string][];
  constructor(pairs: [string, string][]) {
    this.pairs = pairs;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.pairs) callback(value, name);
  }
  get(name: string): string | null {
    let joined: string | null = null;
    for (const [n, value] of this.pairs) if (n === name) joined = joined === null ? value : `${joined}, ${value}`;
    return joined;
  }
}

/** Version, status and a reason phrase (tab, space, visible and obs-text characters: RFC 9112 §4). */
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

/** Parses a response head (status line and fields, CRLF separated); throws on a malformed one. */
export function parseHead(text: string): ResponseHead {
  const lines = text.split("\r\n");
  const status = STATUS_LINE.exec(lines[0]);
  if (!status) throw new Error(`malformed response from upstream: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const pairs: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    if (line[0] === " " || line[0] === "\t") {
      // An obsolete folded line continues the previous field (RFC 9112 §5.2): joined with a space.
      const folded = line.trim();
      if (pairs.length === 0 || BAD_VALUE.test(folded)) {
        throw new Error(`malformed response header from upstream: ${JSON.stringify(line.slice(0, 80))}`);
      }
      pairs[pairs.length - 1][1] += " " + folded;
      continue;
    }
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    // Only what a client may pass on: a token for a name, no NUL, CR or LF in a value (RFC 9110 §5.1, §5.5).
    if (colon <= 0 || !TOKEN.test(name) || BAD_VALUE.test(value)) {
      throw new Error(`malformed response header from upstream: ${JSON.stringify(line.slice(0, 80))}`);
    }
    pairs.push([name.toLowerCase(), value]);
  }
  const headers = new HeaderPairs(pairs);
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive = status[1] === "1" && !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
  const timeout = /(?:^|,)\s*timeout=(\d+)/i.exec(headers.get("keep-alive") ?? "");
  return {
    status: Number(status[2]),
    statusText: status[3] ?? "",
    headers,
    keepAlive,
    idleTimeoutMs: timeout ? Number(timeout[1]) * 1000 : undefined,
  };
}
