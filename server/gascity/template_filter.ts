/**
 * Which sessions of a city are recorded, by agent template: `include_templates` (when given) names the only ones,
 * `exclude_templates` the ones left out; a name may end in `*` to match a prefix (`polecat-*`).
 *
 * @module
 */
import type { GascityConfig } from "../../platform/config/types.ts";

/**
 * Whether sessions of `template` are recorded under `city`'s filters. A session whose template is unknown is
 * recorded only when there is no include list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const city = { name: "a", api_url: "http://x", include_templates: ["mayor", "polecat-*"], exclude_templates: ["polecat-scratch"] };
 * assert.equal(templateRecorded(city, "mayor"), true);
 * assert.equal(templateRecorded(city, "polecat-7"), true);
 * assert.equal(templateRecorded(city, "polecat-scratch"), false);
 * assert.equal(templateRecorded(city, "deacon"), false);
 * assert.equal(templateRecorded({ name: "a", api_url: "http://x" }, null), true);
 * ```
 */
export function templateRecorded(city: GascityConfig, template: string | null | undefined): boolean {
  const include = city.include_templates ?? [];
  const exclude = city.exclude_templates ?? [];
  if (template === null || template === undefined || template === "") return include.length === 0;
  if (include.length > 0 && !include.some((p) => matches(p, template))) return false;
  return !exclude.some((p) => matches(p, template));
}

function matches(pattern: string, template: string): boolean {
  return pattern.endsWith("*") ? template.startsWith(pattern.slice(0, -1)) : pattern === template;
}
