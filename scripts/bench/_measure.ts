/**
 * Times one benchmark case and samples the process's resident set size while it runs.
 *
 * @module
 */
import process from "node:process";

/** What one case measured. */
export interface Measurement {
  seconds: number;
  /** The highest RSS seen while the case ran, in bytes (sampled every few milliseconds). */
  peakRssBytes: number;
}

/** Runs `work` once and returns its wall time and peak RSS. */
export async function measure(work: () => Promise<void>): Promise<Measurement> {
  let peakRssBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, 5);
  const start = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - start) / 1000;
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  return { seconds, peakRssBytes };
}

/**
 * Picks a row count that takes about `targetSeconds`, so a case takes the same time on a fast SSD and on a slow disk.
 * Runs `run` with growing counts until one takes a measurable time (these runs also warm up the JIT), then scales.
 * The result is rounded to two significant digits and capped at `maxRows`.
 */
export async function calibrate(
  run: (rows: number) => Promise<void>,
  options: { probeRows: number; targetSeconds: number; maxRows: number },
): Promise<number> {
  let rows = options.probeRows;
  for (;;) {
    const { seconds } = await measure(() => run(rows));
    if (seconds >= options.targetSeconds / 5 || rows >= options.maxRows) {
      return roundRows(Math.min(options.maxRows, (rows * options.targetSeconds) / seconds));
    }
    rows = Math.round(Math.min(options.maxRows, rows * Math.min(10, Math.max(2, options.targetSeconds / 5 / seconds))));
  }
}

function roundRows(rows: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(rows)) - 1);
  return Math.max(1, Math.round(rows / magnitude)) * magnitude;
}
