/**
 * The fields every normalized row shares: `serviceName`, the flattened `resource`, and the `scope`, computed once
 * per resource and per scope and shared by their rows.
 *
 * @module
 */
import { type Attributes, attributes, object, text } from "./values.ts";

/** What a row carries about the resource that produced it. */
export interface ResourceFields {
  /** The `service.name` resource attribute when it is a non-empty string, otherwise `"_unknown"`. */
  serviceName: string;
  /** The resource attributes as a flat object. */
  resource: Attributes;
}

/** What a row carries about the instrumentation scope that produced it. */
export interface Scope {
  name?: string;
  version?: string;
  attributes: Attributes;
}

/** `serviceName` and `resource` of a `Resource{Spans,Metrics,Logs}` entry. */
export function resourceFields(entry: Record<string, unknown>): ResourceFields {
  const resource = attributes(object(entry.resource, "resource")?.attributes);
  const service = resource["service.name"];
  return { serviceName: typeof service === "string" && service !== "" ? service : "_unknown", resource };
}

/** The `scope` of a `Scope{Spans,Metrics,Logs}` entry; name and version are left out when empty. */
export function scopeOf(entry: Record<string, unknown>): Scope {
  const scope = object(entry.scope, "scope");
  if (scope === undefined) return { attributes: {} };
  return {
    name: text(scope.name, "scope.name"),
    version: text(scope.version, "scope.version"),
    attributes: attributes(scope.attributes),
  };
}
