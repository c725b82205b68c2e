/**
 * Validation of the `proxy` block: the recording LLM proxy and its upstream APIs.
 *
 * @module
 */
import {
  checkListen,
  checkNonEmptyString,
  checkObject,
  checkPositiveInteger,
  checkStringArray,
  child,
  fail,
  has,
  required,
} from "./_checks.ts";

const POINTER = "/proxy";
const PROXY_KEYS = ["listen", "upstreams", "redact_headers", "redact_query_params", "max_record_body_bytes"] as const;
const UPSTREAM_KEYS = ["name", "base_url", "match"] as const;
const MATCH_KEYS = ["path_prefix"] as const;

/** Checks the `proxy` block at `/proxy`: listen address, upstreams (unique names), extra redacted headers and query parameters. */
export function validateProxy(value: unknown): void {
  const proxy = checkObject(value, POINTER, PROXY_KEYS);
  checkListen(required(proxy, "listen", POINTER), child(POINTER, "listen"));
  const upstreams = required(proxy, "upstreams", POINTER);
  const upstreamsPointer = child(POINTER, "upstreams");
  if (!Array.isArray(upstreams)) fail(upstreamsPointer, "must be an array");
  if (upstreams.length === 0) fail(upstreamsPointer, "at least one upstream is required");
  const names = new Set<string>();
  upstreams.forEach((upstream, index) => {
    const pointer = child(upstreamsPointer, index);
    const name = validateUpstream(upstream, pointer);
    if (names.has(name)) fail(child(pointer, "name"), `duplicate upstream name ${JSON.stringify(name)}`);
    names.add(name);
  });
  if (has(proxy, "redact_headers")) checkStringArray(proxy.redact_headers, child(POINTER, "redact_headers"));
  if (has(proxy, "redact_query_params")) {
    checkStringArray(proxy.redact_query_params, child(POINTER, "redact_query_params"));
  }
  if (has(proxy, "max_record_body_bytes")) {
    checkPositiveInteger(proxy.max_record_body_bytes, child(POINTER, "max_record_body_bytes"));
  }
}

/** Checks one upstream (`{name, base_url, match: {path_prefix}}`) and returns its name. */
function validateUpstream(value: unknown, pointer: string): string {
  const upstream = checkObject(value, pointer, UPSTREAM_KEYS);
  const name = checkNonEmptyString(required(upstream, "name", pointer), child(pointer, "name"));
  checkNonEmptyString(required(upstream, "base_url", pointer), child(pointer, "base_url"));
  const matchPointer = child(pointer, "match");
  const match = checkObject(required(upstream, "match", pointer), matchPointer, MATCH_KEYS);
  checkNonEmptyString(required(match, "path_prefix", matchPointer), child(matchPointer, "path_prefix"));
  return name;
}
