/**
 * Runs `ctvs` on a real pseudo-terminal (python3's pty module, tests/cli/walkthrough_pty.py with no keys to type),
 * for what a command does only on a terminal: progress lines, work started in the background.
 *
 * @module
 */
import { execFile } from "node:child_process";
import path from "node:path";
import process from "node:process";
import { denoRun, ROOT } from "./child.ts";

/** Runs `ctvs <args>` on a pty with `env` added (undefined: removed); resolves with what the terminal showed and the exit code. */
export function onTerminal(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ screen: string; code: number | null }> {
  const [command, full] = denoRun("main.ts", args);
  const all = { ...process.env, NO_COLOR: "1", TERM: "xterm", COLLECTIVUS_DISABLE_UPDATE_CHECK: "1", ...env };
  // A variable given as undefined is left out (CI: undefined runs as outside CI).
  const defined = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
  return new Promise((resolve, reject) => {
    execFile(
      "python3",
      [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify([command, ...full]), "[]"],
      {
        env: defined,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

const ESC = String.fromCharCode(27);

/**
 * The progress lines a screen drew (`\r ESC[2K <text>`, the text starting with one of `verbs`), and the rest of the
 * screen, as lines.
 */
export function progressAndLines(screen: string, verbs: string[]): { progress: string[]; lines: string[] } {
  const progress: string[] = [];
  const drawn = new RegExp(`\\r${ESC}\\[2K([^\\r\\n]*)`, "g");
  // A line is erased before the next output; what follows the erase is that output, unless it is progress again.
  const rest = screen.replace(drawn, (_, text: string) => {
    if (!verbs.some((verb) => text.startsWith(`${verb} `))) return text;
    progress.push(text);
    return "";
  });
  return { progress, lines: rest.split("\r\n").filter((l) => l !== "") };
}
