/**
 * Shared helpers of the storage tests: temporary directories and a file opener that records (and can disturb) what
 * the day files do with their real handles. Nothing is mocked away: every byte still goes to a real file.
 *
 * @module
 */
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import type { FileOpener } from "../../storage/day_file.ts";

/** True when permission bits are ignored (root), so a chmod cannot make a directory unwritable. */
export const isRoot: boolean = process.getuid?.() === 0;

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-storage-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What a {@linkcode recordingOpener} saw. */
export interface Recording {
  opened: string[];
  writes: number;
  datasyncs: number;
  syncs: number;
  closed: string[];
}

/** Ways to disturb the real writes. */
export interface Disturbance {
  /** Milliseconds to wait before each write: a slow disk, so that writers pile up behind it. */
  delayMs?: number;
  /** Called as each write starts with its 1-based number; the write waits for the promise it returns, if any. */
  hold?: (call: number) => Promise<void> | undefined;
  /** Write at most this many bytes a call: short writes, as write(2) may do. */
  maxWriteBytes?: number;
  /** Called before each write with its 1-based number; throw to make that write fail after `partialBytes`. */
  failWrite?: (call: number) => Error | undefined;
  /** Bytes actually written by a failing write before it throws. */
  partialBytes?: number;
}

type Write = (buffer: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>;

/** A `FileOpener` over real `open(path, "a+")` handles that counts calls and applies `disturbance`. */
export function recordingOpener(disturbance: Disturbance = {}): { openFile: FileOpener; recording: Recording } {
  const recording: Recording = { opened: [], writes: 0, datasyncs: 0, syncs: 0, closed: [] };
  const openFile = async (file: string): Promise<FileHandle> => {
    const handle = await open(file, "a+");
    recording.opened.push(file);
    const write = (handle.write as unknown as Write).bind(handle);
    const datasync = handle.datasync.bind(handle);
    const sync = handle.sync.bind(handle);
    const close = handle.close.bind(handle);
    const patched: Record<string, unknown> = {
      write: async (buffer: Uint8Array, offset: number, length: number) => {
        const call = ++recording.writes;
        if (disturbance.delayMs) await new Promise((r) => setTimeout(r, disturbance.delayMs));
        await disturbance.hold?.(call);
        const error = disturbance.failWrite?.(call);
        if (error) {
          if (disturbance.partialBytes) await write(buffer, offset, Math.min(length, disturbance.partialBytes));
          throw error;
        }
        return write(buffer, offset, Math.min(length, disturbance.maxWriteBytes ?? length));
      },
      datasync: () => (recording.datasyncs++, datasync()),
      sync: () => (recording.syncs++, sync()),
      close: () => (recording.closed.push(file), close()),
    };
    return Object.assign(handle, patched);
  };
  return { openFile, recording };
}

/** A Node-style system error with `code`. */
export function systemError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
