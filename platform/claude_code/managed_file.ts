/**
 * Attach and detach of a user's file with an exact undo. Attach keeps a sidecar backup (`<file>.collectivus-backup.json`,
 * 0600) of the bytes it started from and of the bytes it wrote; detach puts the original bytes back when the file
 * is still exactly what attach wrote, and otherwise falls back to a structural detach that keeps the user's later
 * edits. Shared by the Claude Code settings and the Codex config.
 *
 * @module
 */
import fs from "node:fs/promises";
import { atomicWrite } from "../atomic_write.ts";
import { unlessMissing } from "../fs_error.ts";
import { readSnapshot, type Snapshot, writeIfUnchanged } from "./guarded_file.ts";

/** A structural detach: the text without what attach added, whether anything was removed, and warnings. */
export interface Detached {
  text: string;
  changed: boolean;
  warnings: string[];
}

/** The edits one client's attach makes, as pure functions of text. */
export interface FileEdits<T> {
  /** The attached text for `original` (undefined when the file is missing), plus what to report. */
  attach(original: string | undefined): { text: string; info: T };
  /** Removes what attach added from `current`; `changed: false` when it was not attached. */
  detach(current: string): Detached;
}

/** Test seams: a callback between the read and the write (to simulate a concurrent edit). */
export interface ManagedFileOptions {
  beforeWrite?: () => Promise<void> | void;
}

interface Backup {
  original: string | null;
  attached: string;
}

/** Where the backup of `file` lives. */
export function backupPath(file: string): string {
  return `${file}.collectivus-backup.json`;
}

/** Attaches `file` with `edits`; idempotent (a re-attach starts from what a detach would give). */
export async function attachFile<T>(file: string, edits: FileEdits<T>, options: ManagedFileOptions = {}): Promise<T> {
  const snapshot = await readSnapshot(file);
  const { original } = await undo(snapshot, edits);
  const { text, info } = edits.attach(original);
  await options.beforeWrite?.();
  const backup: Backup = { original: original ?? null, attached: text };
  await writeIfUnchanged(snapshot, text);
  await atomicWrite(backupPath(file), JSON.stringify(backup));
  return info;
}

/** Detaches `file`; returns `changed: false` when it was not attached. Removes the backup. */
export async function detachFile<T>(
  file: string,
  edits: FileEdits<T>,
  options: ManagedFileOptions = {},
): Promise<{ changed: boolean; warnings: string[] }> {
  const snapshot = await readSnapshot(file);
  const { original, changed, warnings } = await undo(snapshot, edits);
  if (changed) {
    await options.beforeWrite?.();
    await writeIfUnchanged(snapshot, original);
  }
  await fs.rm(backupPath(file), { force: true });
  return { changed, warnings };
}

/** What the file would be without the attach: the exact backup when nothing else changed, else a structural undo. */
async function undo<T>(
  snapshot: Snapshot,
  edits: FileEdits<T>,
): Promise<{ original: string | undefined; changed: boolean; warnings: string[] }> {
  if (snapshot.text === undefined) return { original: undefined, changed: false, warnings: [] };
  const backup = await readBackup(snapshot.path);
  if (backup && backup.attached === snapshot.text) {
    return { original: backup.original ?? undefined, changed: true, warnings: [] };
  }
  const { text, changed, warnings } = edits.detach(snapshot.text);
  return { original: changed ? text : snapshot.text, changed, warnings };
}

async function readBackup(file: string): Promise<Backup | undefined> {
  const text = await unlessMissing(fs.readFile(backupPath(file), "utf8"), "read", backupPath(file));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    const valid = typeof value?.attached === "string" &&
      (value.original === null || typeof value.original === "string");
    return valid ? value : undefined;
  } catch {
    // A damaged backup only costs the exact undo; the structural one still works (as without one).
    return undefined;
  }
}
