/**
 * The upload ledger, `<root>/.upload-ledger.jsonl`: one line per object known to be in the bucket. Append-only, so
 * a crash loses at most the line being written; a job is done when `"<service> <signal> <date>"` is in it.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";

/** One ledger line, in the reference shape. */
export interface LedgerEntry {
  /** The gateway id (`service` in the original format). */
  service: string;
  signal: string;
  date: string;
  status: "committed";
  key: string;
  size: number;
  rows: number;
  committedAt: string;
}

/** The ledger file name under the recording root. */
export const LEDGER_FILE = ".upload-ledger.jsonl";

/** The identity of a job in the ledger. */
export function ledgerId(service: string, signal: string, date: string): string {
  return `${service} ${signal} ${date}`;
}

/** Reads and appends the ledger of one recording root. */
export class Ledger {
  readonly path: string;

  constructor(root: string) {
    this.path = path.join(root, LEDGER_FILE);
  }

  /** The ids of every committed job; a missing file is an empty ledger, a torn or foreign line is ignored. */
  async committed(): Promise<Set<string>> {
    let text: string;
    try {
      text = await fs.readFile(this.path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return new Set();
      throw error;
    }
    const ids = new Set<string>();
    for (const line of text.split("\n")) {
      try {
        const entry = JSON.parse(line) as Partial<LedgerEntry>;
        if (entry.status === "committed" && entry.service && entry.signal && entry.date) {
          ids.add(ledgerId(entry.service, entry.signal, entry.date));
        }
      } catch {
        // A line cut short by a crash: that job is simply not committed (the HEAD check catches the object).
      }
    }
    return ids;
  }

  /** Appends one entry and fsyncs it before resolving. */
  async append(entry: LedgerEntry): Promise<void> {
    await fs.mkdir(path.dirname(this.path), { recursive: true, mode: 0o700 });
    const file = await fs.open(this.path, "a", 0o600);
    try {
      await file.write(`${JSON.stringify(entry)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
  }
}
