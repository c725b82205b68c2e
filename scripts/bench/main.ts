/**
 * `deno task bench [filter]`: runs the benchmark modules (all, or those whose name contains `filter`) and prints
 * one table. Each module exports `run(): Promise<BenchResult[]>`; a new benchmark is one line in `BENCHMARKS`.
 *
 * @module
 */
import process from "node:process";
import { type BenchResult, formatTable } from "./_table.ts";

/** The benchmark modules, by name; each entry loads its module only when it runs. */
const BENCHMARKS: Record<string, () => Promise<BenchResult[]>> = {
  sink: async () => (await import("./sink.ts")).run(),
  proxy: async () => (await import("./proxy.ts")).run(),
  sse: async () => (await import("./sse.ts")).run(),
  otlp: async () => (await import("./otlp.ts")).run(),
  claude_hook: async () => (await import("./claude_hook.ts")).run(),
  query: async () => (await import("./query.ts")).run(),
  conversations: async () => (await import("./conversations.ts")).run(),
  import: async () => (await import("./import.ts")).run(),
  upload: async () => (await import("./upload.ts")).run(),
  ui: async () => (await import("./ui.ts")).run(),
  gascity: async () => (await import("./gascity.ts")).run(),
  gascity_archive: async () => (await import("./gascity_archive.ts")).run(),
  startup: async () => (await import("./startup.ts")).run(),
  fleet: async () => (await import("./fleet.ts")).run(),
};

async function main(args: string[]): Promise<number> {
  const filter = args[0] ?? "";
  const names = Object.keys(BENCHMARKS).filter((name) => name.includes(filter));
  if (names.length === 0) {
    console.error(`Cannot run benchmark "${filter}": the benchmarks are ${Object.keys(BENCHMARKS).join(", ")}`);
    return 2;
  }
  const results: BenchResult[] = [];
  for (const name of names) {
    console.error(`running ${name} ...`);
    results.push(...await BENCHMARKS[name]());
  }
  console.log(formatTable(results));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
