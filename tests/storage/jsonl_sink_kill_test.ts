import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { withTempDir } from "./_helpers.ts";

const CHILD = fileURLToPath(new URL("./fixtures/append_child.ts", import.meta.url));

/** Runs the child, SIGKILLs it `killAfterMs` after its first acknowledgement, and returns the acknowledged numbers. */
function runAndKill(dir: string, killAfterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["run", "-A", CHILD, dir], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      timer ??= setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") return reject(new Error(`the child ended with ${code ?? signal}, not by SIGKILL`));
      // Only whole lines of stdout count; the last one may have been cut by the kill.
      const lines = stdout.split("\n").slice(0, -1);
      resolve(lines.map(Number));
    });
  });
}

test("JsonlSink loses no acknowledged row when its process is SIGKILLed mid-write", async () => {
  await withTempDir(async (dir) => {
    const acknowledged = await runAndKill(dir, 300);
    assert.ok(acknowledged.length > 100, `only ${acknowledged.length} rows were acknowledged`);

    const logs = path.join(dir, "child", "logs");
    const seen = new Set<number>();
    for (const name of await readdir(logs)) {
      const lines = (await readFile(path.join(logs, name), "utf8")).split("\n");
      // After the last "\n" comes either nothing or the one line the kill may have torn.
      const whole = lines.slice(0, -1);
      for (let at = 0; at < whole.length;) {
        const first = JSON.parse(whole[at]);
        assert.equal(first.part, 0, `line ${at} of ${name} starts an append`);
        for (let part = 0; part < first.parts; part++, at++) {
          if (at === whole.length) break; // the append's last rows were cut off by the kill: never acknowledged
          const row = JSON.parse(whole[at]);
          assert.deepEqual([row.seq, row.part], [first.seq, part], "an append's rows are contiguous");
        }
        seen.add(first.seq);
      }
    }
    const missing = acknowledged.filter((seq) => !seen.has(seq));
    assert.deepEqual(missing, [], "every acknowledged row is in the file");
  });
});
