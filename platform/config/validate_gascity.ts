/**
 * Validation of the `gascity` block: the Gas City supervisors to subscribe to.
 *
 * @module
 */
import {
  checkHttpUrl,
  checkNonEmptyString,
  checkObject,
  checkStringArray,
  child,
  fail,
  has,
  required,
} from "./_checks.ts";

const POINTER = "/gascity";
const CITY_KEYS = ["name", "api_url", "include_templates", "exclude_templates"] as const;

/** Checks the `gascity` array at `/gascity` (it may be empty): unique names, http(s) API URLs, template filters. */
export function validateGascity(value: unknown): void {
  if (!Array.isArray(value)) fail(POINTER, "must be an array");
  const names = new Set<string>();
  value.forEach((item, index) => {
    const pointer = child(POINTER, index);
    const city = checkObject(item, pointer, CITY_KEYS);
    const name = checkNonEmptyString(required(city, "name", pointer), child(pointer, "name"));
    if (names.has(name)) fail(child(pointer, "name"), `duplicate gascity name ${JSON.stringify(name)}`);
    names.add(name);
    checkHttpUrl(required(city, "api_url", pointer), child(pointer, "api_url"));
    for (const key of ["include_templates", "exclude_templates"]) {
      if (has(city, key)) checkStringArray(city[key], child(pointer, key));
    }
  });
}
