/**
 * A session's journal: what is recorded of it, in `<root>/.gascity/cities/<city>/sessions/<id>.jsonl`, one JSON
 * object per batch: `{"keys": [...], "claims": [...], "state": ...}`, the keys (Claude Code `uuid`s, a content hash
 * for lines without one) of the lines whose rows are on disk, what those rows counted once per session (the usage
 * keys of the requests they priced), and the row maker's state after them. It is the session cursor:
 * appended only after the rows are written, read back at start so a reconnect or a restart writes no line twice and
 * goes on with the right state. Append-only, so two writers (the daemon and `ctvs gascity backfill`) never lose each
 * other's keys; a batch torn by a crash is not trusted (its rows may be written again: the query side keeps one row
 * per `row_id`).
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { cityStateDir, safeSegment } from "./state_paths.ts";

/** `<root>/.gascity/cities/<city>/sessions/<id>.jsonl`. */
export function journalFile(root: string, city: string, sessionId: string): string {
  return path.join(cityStateDir(root, city), "sessions", `${safeSegment(sessionId)}.jsonl`);
}

/**
 * The keys and the latest row-maker state of one session, loaded from and appended to its journal file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = await mkdtemp(join(tmpdir(), "journal-"));
 * const journal = await SessionJournal.open(join(dir, "s.jsonl"));
 * await journal.append(["u1", "u2"], { messageIndex: 1 }, ["anthropic:msg_1:req_1"]);
 * await journal.append(["u0"]);
 * const again = await SessionJournal.open(join(dir, "s.jsonl"));
 * assert.ok(again.has("u2"));
 * assert.equal(again.size, 3);
 * assert.equal(again.lastUuid, "u2");
 * assert.deepEqual(again.state, { messageIndex: 1 });
 * assert.ok(again.hasClaim("anthropic:msg_1:req_1"));
 * await rm(dir, { recursive: true });
 * ```
 */
export class SessionJournal {
  readonly file: string;
  readonly #keys = new Set<string>();
  readonly #claims = new Set<string>();
  #last: string | undefined;
  #state: unknown;
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

  /**
   * The newest entry uuid the live stream recorded (the last uuid key of the batches that carried a state): the
   * `after` cursor of the transcript route. Keys made from a hash are not uuids the supervisor knows.
   */
  get lastUuid(): string | undefined {
    return this.#last;
  }

  /** The row maker's state saved with the last batch that carried one. */
  get state(): unknown {
    return this.#state;
  }

  /** Whether the rows of `key` are recorded. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Whether `claim` was made by rows on disk. */
  hasClaim(claim: string): boolean {
    return this.#claims.has(claim);
  }

  /** Reads batches another writer appended since the last read. */
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
      const end = bytes.subarray(0, bytesRead).lastIndexOf(0x0a);
      // A batch without its newline is an append cut short: not trusted, and read again should it be completed.
      this.#torn = end < bytesRead - 1;
      if (end < 0) return;
      for (const line of new TextDecoder().decode(bytes.subarray(0, end)).split("\n")) this.#read(line);
      this.#offset += end + 1;
    } finally {
      await handle.close();
    }
  }

  /** Records `keys` (their rows are on disk), the `claims` those rows made and, when given, the row maker's state. */
  async append(keys: readonly string[], state?: unknown, claims: readonly string[] = []): Promise<void> {
    if (keys.length === 0 && state === undefined) return;
    const batch = { keys, ...(claims.length ? { claims } : {}), ...(state === undefined ? {} : { state }) };
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await fs.appendFile(this.file, `${this.#torn ? "\n" : ""}${JSON.stringify(batch)}\n`, { mode: 0o600 });
    this.#torn = false;
    this.#take(batch);
  }

  #read(line: string): void {
    if (line.trim() === "") return;
    try {
      const batch = JSON.parse(line);
      if (batch && Array.isArray(batch.keys)) this.#take(batch);
    } catch {
      // A line torn by a crash and then followed by others: skipped like a torn tail.
    }
  }

  #take(batch: { keys: readonly unknown[]; claims?: readonly unknown[]; state?: unknown }): void {
    for (const key of batch.keys) if (typeof key === "string" && key !== "") this.#keys.add(key);
    if (Array.isArray(batch.claims)) { for (const c of batch.claims) if (typeof c === "string") this.#claims.add(c); }
    if (batch.state === undefined) return;
    this.#state = batch.state;
    const last = batch.keys.findLast((k) => typeof k === "string" && k !== "" && !k.startsWith("sha256:"));
    if (typeof last === "string") this.#last = last;
  }
}
