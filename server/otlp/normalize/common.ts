/**
 * The fields every normalized row shares: `serviceName`, the flattened `resource`, and the `scope`, computed once
 * per resource and per scope and shared by their rows; and the walk over an OTLP/JSON request's three levels
 * (resources, scopes, records) that the three signals share.
 *
 * @module
 */
import { type Attributes, attributes, list, object, text } from "./values.ts";

/** A normalized row. */
export type Row = Record<string, unknown>;

/** The OTLP/JSON names of a request's three levels, e.g. `resourceSpans` > `scopeSpans` > `spans`. */
export interface RequestShape {
  resources: string;
  scopes: string;
  records: string;
  /** A record, as error messages name it: `a span`. */
  record: string;
}

/** Emits the rows of one record (a span, a log record, a metric's data points), given its resource and scope. */
export type RecordRows = (
  record: Record<string, unknown>,
  resource: ResourceFields,
  scope: Scope,
  emit: (row: Row) => void,
) => void;

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

/**
 * Emits the rows of an OTLP/JSON request of `shape`, record by record, through `recordRows`; an entry of the wrong
 * type is a 400, an absent or null one is skipped.
 */
export function requestRows(
  envelope: Record<string, unknown>,
  shape: RequestShape,
  recordRows: RecordRows,
  emit: (row: Row) => void,
): void {
  for (const item of list(envelope[shape.resources], shape.resources)) {
    const group = object(item, `a ${shape.resources} entry`);
    if (group === undefined) continue;
    const resource = resourceFields(group);
    for (const entry of list(group[shape.scopes], shape.scopes)) {
      const scopeGroup = object(entry, `a ${shape.scopes} entry`);
      if (scopeGroup === undefined) continue;
      const scope = scopeOf(scopeGroup);
      for (const value of list(scopeGroup[shape.records], shape.records)) {
        const record = object(value, shape.record);
        if (record !== undefined) recordRows(record, resource, scope, emit);
      }
    }
  }
}
