/**
 * How numbers, costs, times and durations are shown.
 *
 * @module
 */

/** `$0.004146`, `$12.50`: at most 6 decimals (the usage reports' rounding), at least 2; `—` for none. */
export function cost(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const fixed = value.toFixed(6).replace(/0+$/, "");
  const [whole, decimals = ""] = fixed.split(".");
  return `$${whole}.${decimals.padEnd(2, "0")}`;
}

/** `12,345`; `—` for none. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

/** `850 ms`, `1.25 s`, `3 m 05 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
}

/** `2025-03-01 12:00:05` (UTC, as the recordings are). */
export function time(iso: string | null | undefined): string {
  if (!iso) return "—";
  return iso.replace("T", " ").replace(/(\.\d+)?Z$/, "");
}

/** A JSON value as indented text (a string that holds JSON is parsed first). */
export function pretty(value: unknown): string {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/** The last two path segments of a working directory, for narrow columns. */
export function shortPath(path: string | null | undefined): string {
  if (!path) return "—";
  const parts = path.split("/").filter(Boolean);
  return parts.length <= 2 ? path : `…/${parts.slice(-2).join("/")}`;
}
