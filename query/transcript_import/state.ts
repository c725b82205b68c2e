/**
 * The import state of one gateway (`<root>/<gw>/transcripts/import-state.json`): for each transcript file, how far
 * it was read (byte cursor, line number, its first bytes' hash) and the normalizer's state there; and the size of
 * every day file the import wrote. It is replaced atomically after the rows it counts are on disk, so it is the
 * commit point: a run killed before it leaves bytes past the recorded sizes, which the next run cuts off before it
 * writes anything (only the import writes these day files), and reads the same lines again.
 *
 * @module
 */
import { readFile, rm, stat, truncate } from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../../platform/atomic_write.ts";
import { listDayFiles } from "../../storage/day_files.ts";
import type { TranscriptSource } from "../transcript_rows/mod.ts";

/** The format of the state file; a change starts a new one. */
export const IMPORT_STATE_VERSION = 1;

/** Where one transcript file was left. */
export interface FileCursor {
  source: TranscriptSource;
  /** The path it was last read from. */
  path: string;
  /** The end of the last line read (complete, or a last line that was whole JSON). */
  offset: number;
  /** Lines read so far (the number of the next line is one more). */
  line: number;
  /** sha256 of its first bytes (up to 4 KiB): a file rewritten from the start is not taken for the same one. */
  headHash: string;
  /** The `--since` day of the lines imported so far (null: all of them); an earlier one imports the rest. */
  since: string | null;
  /** The normalizer's state after the last line read. */
  normalizer: unknown;
}

/** The whole state. */
export interface ImportState {
  version: number;
  files: Record<string, FileCursor>;
  /** Byte size of every day file written, by `<signal>/<date>`. */
  sinks: Record<string, number>;
  updatedAt: string;
}

/** A state with nothing imported. */
export function emptyImportState(): ImportState {
  return { version: IMPORT_STATE_VERSION, files: {}, sinks: {}, updatedAt: new Date(0).toISOString() };
}

/** The signals the import writes: the part rows and the usage observations. */
export const IMPORT_SIGNALS = ["transcripts", "transcript_usage"] as const;
export type ImportSignal = typeof IMPORT_SIGNALS[number];

/** The state file of a gateway. */
export function importStatePath(root: string, gatewayId: string): string {
  return path.join(root, gatewayId, "transcripts", "import-state.json");
}

/** Reads the state; undefined when there is none. Throws when it exists but cannot be read as one. */
export async function readImportState(file: string): Promise<ImportState | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let value: ImportState;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SyntaxError(`Cannot read ${file}: it is not JSON`);
  }
  if (value?.version !== IMPORT_STATE_VERSION || typeof value.files !== "object" || typeof value.sinks !== "object") {
    throw new SyntaxError(`Cannot read ${file}: not an import state of version ${IMPORT_STATE_VERSION}`);
  }
  return value;
}

/** Replaces the state atomically and durably (private: it names the user's transcripts). */
export async function writeImportState(file: string, state: ImportState): Promise<void> {
  await atomicWrite(file, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }));
}

/** What {@linkcode rollBack} did. */
export interface RollBack {
  /** Day files cut back to their recorded size, or removed (not in the state: written by a killed run). */
  cut: string[];
  /** Day files shorter than recorded (removed or cut by someone else): their size is taken as it is. */
  shrunk: string[];
}

/**
 * Makes the day files of `gatewayId` match `state` (see the module doc). With no state, day files that exist mean
 * the state was lost: a RangeError, since importing again would repeat what they hold.
 */
export async function rollBack(
  root: string,
  gatewayId: string,
  state: ImportState | undefined,
  stateFile: string,
): Promise<RollBack> {
  const out: RollBack = { cut: [], shrunk: [] };
  for (const signal of IMPORT_SIGNALS) {
    for (const day of await listDayFiles(root, signal)) {
      if (day.gatewayId !== gatewayId) continue;
      const key = `${signal}/${day.date}`;
      if (!state) {
        throw new RangeError(
          `Cannot import: ${path.dirname(day.path)} holds imported rows but ${stateFile} is missing, so what was ` +
            `imported is unknown. Move ${path.join(root, gatewayId, "transcripts")} and ` +
            `${path.join(root, gatewayId, "transcript_usage")} away to import everything again.`,
        );
      }
      const size = (await stat(day.path)).size;
      const recorded = state.sinks[key];
      if (recorded === undefined) {
        await rm(day.path, { force: true });
        out.cut.push(day.path);
      } else if (size > recorded) {
        await truncate(day.path, recorded);
        out.cut.push(day.path);
      } else if (size < recorded) {
        state.sinks[key] = size;
        out.shrunk.push(day.path);
      }
    }
  }
  return out;
}
