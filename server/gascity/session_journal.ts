/**
 * A session's key journal: the provider keys (Claude Code `uuid`s, a content hash for lines without one) of every
 * transcript line whose rows are on disk, one per line in `<root>/.gascity/cities/<city>/sessions/<id>.keys`. It is
 * the session cursor: appended only after the rows are written, read back at start so a reconnect or a restart
 * writes no line twice. Append-only, so two writers (the daemon and `ctvs gascity backfill`) never lose each
 * other's keys; the query side drops what a crash between the two writes could still repeat.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { cityStateDir, safeSegment } from "./state_paths.ts";

/** `<root>/.gascity/cities/<city>/sessions/<id>.keys`. */
export function journalFile(root: string, city: string, sessionId: string): string {
  return path.join(cityStateDir(root, city), "sessions", `${safeSegment(sessionId)}.keys`);
}

/**
 * The keys of one session, loaded from and appended to its journal file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = await mkdtemp(join(tmpdir(), "journal-"));
 * const journal = await SessionJournal.open(join(dir, "s.keys"));
 * await journal.append(["u1", "u2"]);
 * const again = await SessionJournal.open(join(dir, "s.keys"));
 * assert.ok(again.has("u2"));
 * assert.equal(again.size, 2);
 * assert.equal(again.last, "u2");
 * await rm(dir, { recursive: true });
 * ```
 */
export class SessionJournal {
  readonly file: string;
  readonly #keys = new Set<string>();
  #last: string | undefined;
  /** The bytes of the file already read, so {@linkcode refresh} reads only what another writer added. */
  #offset = 0;
  /** The file does not end with a newline (a torn append): the next append starts a new line. */
  #torn = false;

  private constructor(file: string) {
    this.file = file;
  }

  /** Opens (and reads) the journal at `file`; a missing file is an empty journal. */
  static async open(file: string): Promise<SessionJournal> {
    const journal = new SessionJournal(file);
    await journal.refresh();
    return journal;
  }

  /** How many keys are recorded. */
  get size(): number {
    return this.#keys.size;
  }

  /** The key appended last (the newest line written), if any. */
  get last(): string | undefined {
    return this.#last;
  }

  /** Whether the rows of `key` are recorded. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Reads keys another writer appended since the last read. */
  async refresh(): Promise<void> {
    let handle;
    try {
      handle = await fs.open(this.file, "r");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size <= this.#offset) return;
      const bytes = new Uint8Array(size - this.#offset);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, this.#offset);
      const text = new TextDecoder().decode(bytes.subarray(0, bytesRead));
      const end = text.lastIndexOf("\n");
      // A line without its newline is an append cut short: its key is not trusted (the rows may be repeated,
      // which the query side drops), and it is read again should the line be completed.
      this.#torn = end < text.length - 1;
      if (end < 0) return;
      for (const line of text.slice(0, end).split("\n")) this.#add(line.trim());
      this.#offset += new TextEncoder().encode(text.slice(0, end + 1)).length;
    } finally {
      await handle.close();
    }
  }

  /** Records `keys` (their rows are on disk). */
  async append(keys: readonly string[]): Promise<void> {
    const fresh = keys.filter((k) => k !== "" && !k.includes("\n"));
    if (fresh.length === 0) return;
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const text = `${this.#torn ? "\n" : ""}${fresh.join("\n")}\n`;
    await fs.appendFile(this.file, text, { mode: 0o600 });
    this.#torn = false;
    for (const key of fresh) this.#add(key);
  }

  #add(key: string): void {
    if (key === "") return;
    this.#keys.add(key);
    this.#last = key;
  }
}
