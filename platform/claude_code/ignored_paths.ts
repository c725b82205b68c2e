/**
 * The persistent ignore list: top-level `ignored_paths` in the config file (`~/.hyp/collectivus.json`), edited in
 * place with jsonc-parser so the file's comments and other keys survive. The proxy drops exchanges whose session
 * cwd is one of these paths or under one.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { applyEdits, modify, parse } from "jsonc-parser";
import { readSnapshot, writeIfUnchanged } from "./guarded_file.ts";

/**
 * Normalizes a user-given path: resolved against `cwd`, symlinks resolved as far as the path exists (a missing
 * tail is kept), no trailing separator.
 */
export async function normalizeIgnorePath(input: string, cwd: string): Promise<string> {
  let head = path.resolve(await fs.realpath(cwd).catch(() => cwd), input);
  const tail: string[] = [];
  while (true) {
    try {
      head = await fs.realpath(head);
      break;
    } catch {
      if (path.dirname(head) === head) break;
      tail.unshift(path.basename(head));
      head = path.dirname(head);
    }
  }
  const full = path.join(head, ...tail);
  return full.length > 1 && full.endsWith(path.sep) ? full.slice(0, -1) : full;
}

/** The ignore list in `configFile`; empty when the file or the key is missing. */
export async function listIgnored(configFile: string): Promise<string[]> {
  const { text } = await readSnapshot(configFile);
  const value = text === undefined ? undefined : parse(text)?.ignored_paths;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Adds or removes `entry`; resolves false when there was nothing to do (already there, or not there). */
export async function editIgnored(configFile: string, entry: string, action: "add" | "remove"): Promise<boolean> {
  const snapshot = await readSnapshot(configFile);
  const text = snapshot.text === undefined || snapshot.text.trim() === "" ? '{\n  "version": 1\n}\n' : snapshot.text;
  const current = await listIgnored(configFile);
  const present = current.includes(entry);
  if (present === (action === "add")) return false;
  const next = action === "add" ? [...current, entry] : current.filter((p) => p !== entry);
  const edits = modify(text, ["ignored_paths"], next.length > 0 ? next : undefined, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" },
  });
  await writeIfUnchanged(snapshot, applyEdits(text, edits));
  return true;
}
