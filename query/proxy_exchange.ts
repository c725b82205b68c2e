/**
 * One recorded proxy exchange read back from its day file: the exchange row (request and response, headers already
 * redacted by the recorder) and its SSE events in order, for `ctvs ui`'s raw view. The file is scanned line by line
 * and only lines that name the exchange id are parsed; an exchange that ended after midnight UTC has its last rows in
 * the next day's file, which is read too.
 *
 * @module
 */
import path from "node:path";
import { type FoundImage, requestImages } from "./proxy_images.ts";
import { readLines } from "./proxy_messages/read_lines.ts";

/** One SSE event of an exchange. */
export interface RecordedEvent {
  /** Milliseconds since the request arrived. */
  t_ms: number | null;
  event: string | null;
  /** The data string, cut to `maxDataChars`. */
  data: string;
  /** The data's full length in characters. */
  data_length: number;
}

/** An image of the request, without its data. */
export interface ExchangeImage {
  /** Its place in the request body (`messages[0].content[1]`). */
  path: string;
  media_type: string | null;
  /** Its decoded size, when the request carried it. */
  bytes?: number;
  url?: string;
  file_id?: string;
}

/** What {@link readRecordedExchange} found. */
export interface RecordedExchange {
  /**
   * The exchange row with its bodies cut to `maxBodyChars` (`*_length` fields give their sizes), the request's image
   * data replaced by a marker first (see `images`); null if absent.
   */
  exchange: Record<string, unknown> | null;
  /** The images of the request, in order. */
  images: ExchangeImage[];
  events: RecordedEvent[];
  /** Every event of the exchange, also those past `maxEvents`. */
  event_count: number;
}

/** Limits of what is returned. */
export interface RecordedExchangeOptions {
  maxEvents?: number;
  maxDataChars?: number;
  maxBodyChars?: number;
  /** Leave the request body's image data in place (and `images` empty). */
  keepImages?: boolean;
}

const EXCHANGE_ID = /^[0-9A-Za-z_-]{8,128}$/;
const GATEWAY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The proxy day file of gateway `gatewayId` on `date` under `root`. Throws a `RangeError` for a gateway or date that
 * cannot name a recording, so no path leaves the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(proxyDayFile("/data", "gw", "2025-03-01"), "/data/gw/proxy/2025-03-01.jsonl");
 * assert.throws(() => proxyDayFile("/data", "..", "2025-03-01"), RangeError);
 * assert.throws(() => proxyDayFile("/data", "gw", "2025-03-01/../x"), RangeError);
 * ```
 */
export function proxyDayFile(root: string, gatewayId: string, date: string): string {
  if (!GATEWAY_ID.test(gatewayId)) throw new RangeError(`Cannot read exchange: invalid gateway id ${gatewayId}`);
  if (!DATE.test(date) || Number.isNaN(Date.parse(date))) {
    throw new RangeError(`Cannot read exchange: invalid date ${date}`);
  }
  return path.join(root, gatewayId, "proxy", `${date}.jsonl`);
}

/** The images of a request body (a JSON text; none when it is not whole JSON). */
function imagesOf(body: unknown): FoundImage[] {
  if (typeof body !== "string" || !body.includes("image")) return [];
  try {
    return requestImages(JSON.parse(body));
  } catch {
    return [];
  }
}

/** Lists the request's images on the row and puts a marker where each one's data was in its body. */
function elideImages(request: unknown): ExchangeImage[] {
  if (!request || typeof request !== "object") return [];
  const r = request as Record<string, unknown>;
  const found = imagesOf(r.body);
  let body = r.body as string;
  const images = found.map(({ path: at, image }, i) => {
    const { data, ...rest } = image;
    if (data === undefined) return { path: at, ...rest };
    const bytes = Math.floor(data.replace(/=+$/, "").length * 3 / 4);
    if (data.length > 64) body = body.replaceAll(data, `[image ${i + 1}: ${image.media_type}, ${bytes} bytes]`);
    return { path: at, ...rest, bytes };
  });
  if (images.length) r.body = body;
  return images;
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function cutBody(holder: unknown, maxChars: number): void {
  if (!holder || typeof holder !== "object") return;
  const h = holder as Record<string, unknown>;
  if (typeof h.body !== "string") return;
  h.body_length = h.body.length;
  if (h.body.length > maxChars) h.body = h.body.slice(0, maxChars);
}

/**
 * Reads exchange `exchangeId` of gateway `gatewayId` recorded on `date` under `root`. Throws a `RangeError` for an id,
 * gateway or date that cannot name a recording (so no path leaves the root).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const root = mkdtempSync(`${tmpdir()}/exchange-`);
 * mkdirSync(`${root}/gw/proxy`, { recursive: true });
 * const id = "0123456789abcdef0123456789abcdef";
 * writeFileSync(`${root}/gw/proxy/2025-03-01.jsonl`, [
 *   { exchange_id: id, kind: "stream_event", t_ms: 5, event: "message_start", data: "{}" },
 *   { exchange_id: id, kind: "exchange", request: { body: "{}" }, response: { status: 200 } },
 * ].map((r) => JSON.stringify(r) + "\n").join(""));
 * const found = await readRecordedExchange(root, "gw", "2025-03-01", id);
 * assert.equal(found.event_count, 1);
 * assert.equal(found.events[0].event, "message_start");
 * assert.equal((found.exchange?.request as { body_length: number }).body_length, 2);
 * await assert.rejects(readRecordedExchange(root, "..", "2025-03-01", id), RangeError);
 * rmSync(root, { recursive: true });
 * ```
 */
export async function readRecordedExchange(
  root: string,
  gatewayId: string,
  date: string,
  exchangeId: string,
  options: RecordedExchangeOptions = {},
): Promise<RecordedExchange> {
  if (!EXCHANGE_ID.test(exchangeId)) throw new RangeError(`Cannot read exchange: invalid id ${exchangeId}`);
  proxyDayFile(root, gatewayId, date);
  const maxEvents = options.maxEvents ?? 2000;
  const maxData = options.maxDataChars ?? 4000;
  const found: RecordedExchange = { exchange: null, images: [], events: [], event_count: 0 };
  for (const day of [date, nextDay(date)]) {
    const file = proxyDayFile(root, gatewayId, day);
    try {
      for await (const line of readLines(file)) {
        if (!line.text.includes(exchangeId)) continue;
        let row;
        try {
          row = JSON.parse(line.text);
        } catch {
          continue;
        }
        if (row?.exchange_id !== exchangeId) continue;
        if (row.kind === "stream_event") {
          found.event_count++;
          if (found.events.length < maxEvents) {
            const data = typeof row.data === "string" ? row.data : JSON.stringify(row.data ?? null);
            found.events.push({
              t_ms: typeof row.t_ms === "number" ? row.t_ms : null,
              event: typeof row.event === "string" ? row.event : null,
              data: data.length > maxData ? data.slice(0, maxData) : data,
              data_length: data.length,
            });
          }
        } else if (row.kind === "exchange") {
          found.images = options.keepImages ? [] : elideImages(row.request);
          cutBody(row.request, options.maxBodyChars ?? 200_000);
          cutBody(row.response, options.maxBodyChars ?? 200_000);
          found.exchange = row;
        }
      }
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
    if (found.exchange) break;
  }
  return found;
}

/**
 * Image `index` of the request of exchange `exchangeId` (in {@link requestImages} order), with its data; undefined
 * when the exchange or the image is not there.
 */
export async function readExchangeImage(
  root: string,
  gatewayId: string,
  date: string,
  exchangeId: string,
  index: number,
): Promise<FoundImage | undefined> {
  const found = await readRecordedExchange(root, gatewayId, date, exchangeId, {
    maxEvents: 0,
    maxBodyChars: Number.POSITIVE_INFINITY,
    keepImages: true,
  });
  const request = found.exchange?.request as { body?: unknown } | undefined;
  return imagesOf(request?.body)[index];
}
