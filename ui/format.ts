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

/**
 * A span status as a reader says it: `Error: overloaded`, `Error`, `OK`, `Unset` (OTLP codes 2, 1, 0 or none; a
 * status recorded as an object `{ code, message }` or as its two fields).
 */
export function spanStatus(status: unknown, message?: unknown): string {
  const s = status && typeof status === "object" ? status as { code?: unknown; message?: unknown } : undefined;
  const code = String(s ? s.code ?? 0 : status ?? 0);
  const text = s ? s.message : message;
  const detail = typeof text === "string" && text !== "" ? `: ${text}` : "";
  if (code === "2" || code === "STATUS_CODE_ERROR") return `Error${detail}`;
  if (code === "1" || code === "STATUS_CODE_OK") return `OK${detail}`;
  return "Unset";
}

/**
 * The text colour that reads best on `background` (`#rrggbb`): white on dark and saturated colours, near-black on
 * light ones (by WCAG contrast).
 */
export function textOn(background: string): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(background)?.[1];
  if (!hex) return "#fff";
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is 1.05 / (L + 0.05); with #1d1d1f (L about 0.012) (L + 0.05) / 0.062.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.062 ? "#fff" : "#1d1d1f";
}

/**
 * A Gas City agent as a reader names it: `mayor · rig-a · mayor` (template, rig, alias; the ones known), or `null` for
 * a conversation of no agent.
 */
export function agent(row: { agent_template?: unknown; agent_rig?: unknown; agent_alias?: unknown }): string | null {
  const known = [row.agent_template, row.agent_rig, row.agent_alias].filter((v) => typeof v === "string" && v !== "");
  return known.length ? known.join(" · ") : null;
}
