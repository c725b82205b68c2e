/**
 * Small checkers shared by the block validators. Each throws a {@linkcode ConfigError} reading
 * `<json-pointer>: <problem>` at the first problem, so validation reports one error, the first one found.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { splitListen } from "./listen.ts";

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** Throws the validation error for `pointer`. */
export function fail(pointer: string, message: string): never {
  throw new ConfigError(`${pointer}: ${message}`);
}

/** `pointer` extended by one key, escaped per RFC 6901 (`~` as `~0`, `/` as `~1`). */
export function child(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks that `value` is an object holding only `allowed` keys, and returns it. */
export function checkObject(value: unknown, pointer: string, allowed: readonly string[]): JsonObject {
  if (!isObject(value)) fail(pointer || "/", "must be an object");
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(child(pointer, key), `unknown key ${JSON.stringify(key)}`);
  }
  return value;
}

/** True when `key` is present in `object` (a JSON `null` counts as present, and then fails its check). */
export function has(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== undefined;
}

/** Returns `object[key]`, failing with `<key> is required` when it is absent. */
export function required(object: JsonObject, key: string, pointer: string): unknown {
  if (!has(object, key)) fail(child(pointer, key), `${key} is required`);
  return object[key];
}

/** Checks a string, possibly empty. */
export function checkString(value: unknown, pointer: string): string {
  if (typeof value !== "string") fail(pointer, "must be a string");
  return value;
}

/** Checks a non-empty string. */
export function checkNonEmptyString(value: unknown, pointer: string): string {
  if (typeof value !== "string" || value.length === 0) fail(pointer, "must be a non-empty string");
  return value;
}

/** Checks a boolean. */
export function checkBoolean(value: unknown, pointer: string): boolean {
  if (typeof value !== "boolean") fail(pointer, "must be a boolean");
  return value;
}

/** Checks an integer greater than zero. */
export function checkPositiveInteger(value: unknown, pointer: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) fail(pointer, "must be a positive integer");
  return value;
}

/** Checks an integer of zero or more. */
export function checkNonNegativeInteger(value: unknown, pointer: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    fail(pointer, "must be a non-negative integer");
  }
  return value;
}

/** Checks an integer within `min..max`, both included. */
export function checkIntegerBetween(value: unknown, pointer: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(pointer, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** Checks that `value` is one of `choices` (strings), naming them in the error. */
export function checkOneOf<T extends string>(value: unknown, pointer: string, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    fail(pointer, `must be one of ${choices.map((choice) => JSON.stringify(choice)).join(", ")}`);
  }
  return value as T;
}

/** Checks a non-empty string that `new URL` accepts. */
export function checkUrl(value: unknown, pointer: string): string {
  const text = checkNonEmptyString(value, pointer);
  if (!URL.canParse(text)) fail(pointer, "must be a parseable URL");
  return text;
}

/** True for an absolute `http:` or `https:` URL. */
export function isHttpUrl(text: string): boolean {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return url?.protocol === "http:" || url?.protocol === "https:";
}

/** Checks an absolute http or https URL. */
export function checkHttpUrl(value: unknown, pointer: string): string {
  const text = checkNonEmptyString(value, pointer);
  if (!isHttpUrl(text)) fail(pointer, "must be an http(s) URL");
  return text;
}

/** Checks an array of non-empty strings (possibly empty). */
export function checkStringArray(value: unknown, pointer: string): string[] {
  if (!Array.isArray(value)) fail(pointer, "must be an array of strings");
  value.forEach((item, index) => checkNonEmptyString(item, child(pointer, index)));
  return value;
}

/** Checks a `host:port` listen address. */
export function checkListen(value: unknown, pointer: string): string {
  const text = checkNonEmptyString(value, pointer);
  const result = splitListen(text);
  if (typeof result === "string") fail(pointer, result);
  return text;
}

/** Checks that exactly one of `a` and `b` is present in the object at `pointer`. */
export function checkExactlyOne(object: JsonObject, pointer: string, a: string, b: string): void {
  if (has(object, a) === has(object, b)) fail(pointer, `must set exactly one of ${a} or ${b}`);
}
