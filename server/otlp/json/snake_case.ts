/**
 * Tolerance for OTLP/JSON written with the .proto field names (`resource_spans`, `trace_id`): the spec asks for
 * lowerCamelCase, but the Collector accepts both, so senders exist that use snake_case. Every object key in OTLP/JSON
 * is a field name (attribute keys are values of `key`), so renaming all keys is safe. `scanJson` tells when a body
 * has such keys, so camelCase bodies (nearly all) skip the walk.
 *
 * @module
 */

/**
 * Renames every object key from snake_case to lowerCamelCase, in place, and returns `value`. A key already in
 * camelCase wins over its snake_case twin. Recurses: call it only on a value whose depth was checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { camelCaseKeys } from "./snake_case.ts";
 *
 * assert.deepEqual(camelCaseKeys({ resource_spans: [{ scope_spans: [] }] }), { resourceSpans: [{ scopeSpans: [] }] });
 * ```
 */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) camelCaseKeys(item);
  } else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const item = object[key];
      camelCaseKeys(item);
      if (!key.includes("_")) continue;
      const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      if (camel !== key && !Object.hasOwn(object, camel)) object[camel] = item;
      if (camel !== key) delete object[key];
    }
  }
  return value;
}
