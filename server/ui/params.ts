/**
 * Reading a `ctvs ui` request's query parameters: each helper returns the value or throws a 400 that names the
 * parameter and what it takes.
 *
 * @module
 */
import type { Context } from "hono";
import { HttpError } from "../http_error.ts";
import type { PageRequest, TimeRange } from "./backend.ts";

/** Rows a page has unless `limit` says otherwise, and the most it may ask for. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 2000;

/** An optional non-empty text parameter (at most 2,000 characters). */
export function text(c: Context, name: string): string | undefined {
  const value = c.req.query(name);
  if (value === undefined || value.trim() === "") return undefined;
  if (value.length > 2000) throw new HttpError(400, { error: `${name} is longer than 2000 characters` });
  return value;
}

/** An optional number parameter within `[min, max]`. */
export function number(c: Context, name: string, min: number, max: number): number | undefined {
  const value = text(c, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new HttpError(400, { error: `${name} must be a number from ${min} to ${max}, got ${value}` });
  }
  return n;
}

/** An optional parameter that must be one of `choices`. */
export function choice<T extends string>(c: Context, name: string, choices: readonly T[]): T | undefined {
  const value = text(c, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new HttpError(400, { error: `${name} must be one of ${choices.join(", ")}, got ${value}` });
  }
  return value as T;
}

/** A path segment that must be a whole number, 0 or more (`what` names it in the 400). */
export function index(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new HttpError(400, { error: `${what} must be 0 or more` });
  }
  return n;
}

/** `limit` (default `fallback`, at most {@link MAX_PAGE}) and `offset`. */
export function page(c: Context, fallback = DEFAULT_PAGE): PageRequest {
  return {
    limit: number(c, "limit", 1, MAX_PAGE) ?? fallback,
    offset: Math.floor(number(c, "offset", 0, Number.MAX_SAFE_INTEGER) ?? 0),
  };
}

function instant(c: Context, name: string): string | undefined {
  const value = text(c, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HttpError(400, { error: `${name} must be a date or time, got ${value}` });
  return new Date(ms).toISOString();
}

/** `from` and `to` as ISO instants. */
export function range(c: Context): TimeRange {
  const from = instant(c, "from"), to = instant(c, "to");
  if (from && to && from > to) throw new HttpError(400, { error: "from must be before to" });
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}
