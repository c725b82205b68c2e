/**
 * The shape every benchmark module returns, and the one table `deno task bench` prints.
 *
 * @module
 */

/** One measured case of a benchmark. */
export interface BenchResult {
  /** The benchmark module, e.g. `"sink"`. */
  benchmark: string;
  /** What this case does, e.g. `"JsonlSink, 50 writers"`. */
  case: string;
  /** Rows processed. */
  rows: number;
  /** Bytes processed (what MB/s is computed from). */
  bytes: number;
  /** Wall time. */
  seconds: number;
  /** The highest RSS seen during the case. */
  peakRssBytes: number;
  /** The `case` of the same benchmark this one is compared with (rows/s ratio); absent for a baseline. */
  baseline?: string;
  /**
   * CPU time (user + system) the measured process spent on the case, when known: on a shared machine, CPU per row
   * moves much less with the neighbours' load than wall time does.
   */
  cpuSeconds?: number;
}

const COLUMNS = [
  "benchmark",
  "case",
  "rows",
  "time",
  "rows/s",
  "MB/s",
  "vs baseline",
  "peak RSS",
  "CPU µs/row",
  "CPU vs baseline",
] as const;

/**
 * Renders `results` as an aligned plain-text table, with each case's rows/s ratio to its baseline, and where CPU
 * time was measured, the CPU per row and how many times less of it the case needs than its baseline.
 */
export function formatTable(results: readonly BenchResult[]): string {
  const rate = (r: BenchResult) => r.rows / r.seconds;
  const cpuPerRow = (r: BenchResult | undefined) =>
    r?.cpuSeconds === undefined || r.rows === 0 ? undefined : r.cpuSeconds / r.rows;
  const cells = results.map((r) => {
    const base = r.baseline === undefined
      ? undefined
      : results.find((b) => b.benchmark === r.benchmark && b.case === r.baseline);
    return [
      r.benchmark,
      r.case,
      r.rows.toLocaleString("en-US"),
      `${r.seconds.toFixed(2)} s`,
      Math.round(rate(r)).toLocaleString("en-US"),
      (r.bytes / r.seconds / 1e6).toFixed(1),
      base ? `${(rate(r) / rate(base)).toFixed(2)}x` : r.baseline === undefined ? "baseline" : "?",
      `${Math.round(r.peakRssBytes / 2 ** 20)} MiB`,
      cpuPerRow(r) === undefined ? "" : (cpuPerRow(r)! * 1e6).toFixed(2),
      cpuPerRow(r) === undefined || cpuPerRow(base) === undefined
        ? ""
        : `${(cpuPerRow(base)! / cpuPerRow(r)!).toFixed(2)}x`,
    ];
  });
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
  // Text columns align left, numbers right.
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ");
  return [line(COLUMNS), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line)].join("\n");
}
