/**
 * Progress on a terminal: `ctvs export` and `ctvs query refresh` of a ~24 MB day file run in a real pseudo-terminal
 * (python3's pty module, tests/cli/walkthrough_pty.py with no keys to type) redraw one stderr line per 8 MiB read with
 * the rows, the megabytes and the rate, then erase it; piped, the same runs print only their lines.
 */
import assert from "node:assert/strict";
import { stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { onTerminal, progressAndLines } from "../helpers/pty.ts";
import { jsonl, logRow, writeDay } from "../query/_fixtures.ts";

const ROWS = 60_000;
const CHUNK = 8 * 1024 * 1024;

/** The progress lines drawn and the rest of the screen. */
const split = (screen: string) => progressAndLines(screen, ["exporting", "refreshing"]);

test("progress on a terminal: export and refresh show rows, MB and MB/s; piped they print only their lines", async () => {
  const tmp = await tempDir("ctvs-progress-");
  try {
    const root = path.join(tmp.dir, "rec");
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    await writeDay(root, { signal: "logs" }, jsonl(Array.from({ length: ROWS }, (_, i) => logRow(i))));
    const size = (await stat(path.join(root, "alice", "logs", "2025-03-01.jsonl"))).size;
    const updates = Math.ceil(size / CHUNK);
    assert.ok(updates >= 3, `${size} bytes`);
    const mb = (size / 1e6).toFixed(1);

    const out = path.join(tmp.dir, "out");
    const exported = await onTerminal(["export", "--config", config, "--out", out]);
    assert.equal(exported.code, 0, exported.screen);
    const e = split(exported.screen);
    const parquet = path.join(out, "alice", "logs", "date=2025-03-01", "data.parquet");
    assert.deepEqual(e.lines, [
      `wrote ${parquet} (${ROWS} rows, ${(await stat(parquet)).size} bytes)`,
      `Done. 1 file(s), ${ROWS} row(s).`,
    ]);
    assert.equal(e.progress.length, updates, e.progress.join("\n"));
    for (const line of e.progress) {
      assert.match(line, /^exporting alice\/logs\/2025-03-01: [\d,]+ rows, [\d.]+ MB \(\d+\.\d MB\/s\)$/);
    }
    assert.match(e.progress.at(-1)!, new RegExp(`: ${ROWS.toLocaleString("en-US")} rows, ${mb} MB \\(`));
    // Rows and megabytes only grow.
    const numbers = e.progress.map((l) =>
      l.match(/: ([\d,]+) rows, ([\d.]+) MB/)!.slice(1).map((n) => Number(n.replaceAll(",", "")))
    );
    for (let i = 1; i < numbers.length; i++) {
      assert.ok(numbers[i][0] > numbers[i - 1][0] && numbers[i][1] > numbers[i - 1][1], e.progress.join("\n"));
    }

    const refreshed = await onTerminal(["query", "refresh", "--force", "--config", config]);
    assert.equal(refreshed.code, 0, refreshed.screen);
    const r = split(refreshed.screen);
    assert.deepEqual(r.lines.map((l) => l.replace(/\/part-[^ ]+\.parquet/, "/<part>")), [
      `wrote logs/alice/2025-03-01/epoch=1/<part> (${ROWS} rows)`,
      `Done. 1 file(s) written, 0 fresh, ${ROWS} row(s).`,
    ]);
    assert.equal(r.progress.length, updates, r.progress.join("\n"));
    for (const line of r.progress) {
      assert.match(line, /^refreshing logs\/alice\/2025-03-01: [\d,]+ rows, [\d.]+ MB \(\d+\.\d MB\/s\)$/);
    }
    assert.match(r.progress.at(-1)!, new RegExp(`: ${ROWS.toLocaleString("en-US")} rows, ${mb} MB \\(`));

    // Piped: the same lines, nothing on stderr.
    const piped = await ctvs(["query", "refresh", "--force", "--config", config]);
    assert.deepEqual([piped.code, piped.stderr], [0, ""]);
    assert.deepEqual(piped.stdout.split("\n").map((l) => l.replace(/\/part-[^ ]+\.parquet/, "/<part>")), [
      `wrote logs/alice/2025-03-01/epoch=2/<part> (${ROWS} rows)`,
      `Done. 1 file(s) written, 0 fresh, ${ROWS} row(s).`,
    ]);
    // A second cache, so the piped export reads the whole file as the one on the terminal did.
    const other = path.join(tmp.dir, "other.json");
    const cache = path.join(tmp.dir, "cache2");
    await writeFile(
      other,
      JSON.stringify({ version: 1, sink: { type: "file", dir: root }, query: { cache: { dir: cache } } }),
    );
    const pipedExport = await ctvs(["export", "--config", other, "--out", path.join(tmp.dir, "out2")]);
    assert.deepEqual([pipedExport.code, pipedExport.stderr], [0, ""]);
    assert.equal(pipedExport.stdout.split("\n").at(-1), `Done. 1 file(s), ${ROWS} row(s).`);
  } finally {
    await tmp.remove();
  }
});
