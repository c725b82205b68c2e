/**
 * What the `ctvs ui` app reads, as an interface: the command wires it to the query layer (`cli/ui/`), so this folder
 * stays an HTTP concern. Rows are plain JSON objects (timestamps as ISO strings, JSON columns parsed). A read fails
 * with an `HttpError` whose status and message the app passes on (a refused SQL is a 400, a cache that is not ready a
 * 409).
 *
 * @module
 */

/** A row as the page gets it. */
export type Row = Record<string, unknown>;

/** One page of rows. */
export interface PageOf<T = Row> {
  rows: T[];
  offset: number;
  more: boolean;
}

/** A page request. */
export interface PageRequest {
  limit: number;
  offset: number;
}

/** A time range (ISO instants), applied to each dataset's timestamp as `--from`/`--to` are. */
export interface TimeRange {
  from?: string;
  to?: string;
}

/** The freshness of one dataset's cache: its partitions (one per gateway and day file) by state. */
export interface DatasetFreshness {
  name: string;
  partitions: number;
  fresh: number;
  /** Cached, but its day file has new records since. */
  stale: number;
  /** Never read into the cache. */
  missing: number;
  /** The newest refresh of any of its partitions. */
  refreshed_at: string | null;
  /** The oldest refresh of a stale partition: what it shows is as of then. */
  stale_since: string | null;
}

/** The cache's state, for the page header. */
export interface UiStatus {
  datasets: DatasetFreshness[];
  /** What reads do when the cache is behind: `auto` refreshes first, `never` reads what is cached. */
  refresh: "auto" | "never" | "always";
  /** The datasets each screen reads (its freshness is theirs); a screen not named reads them all. */
  screens: Record<string, string[]>;
  /** Where the recordings are. */
  root: string;
  config: string;
}

/** An image to serve, of a type a browser draws (the backend refuses others with a 4xx saying why). */
export interface ServedImage {
  media_type: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Every read the UI makes. */
export interface UiBackend {
  status(): Promise<UiStatus>;
  /** Refreshes the named datasets (all when empty) now. */
  refresh(datasets: string[]): Promise<UiStatus>;

  conversations(
    filter: { q?: string; client?: string; model?: string; cwd?: string },
    range: TimeRange,
    page: PageRequest,
  ): Promise<PageOf>;
  conversation(origin: string, id: string): Promise<Row | null>;
  conversationParts(origin: string, id: string, page: PageRequest): Promise<PageOf>;
  conversationTurns(origin: string, id: string, page: PageRequest): Promise<PageOf>;
  conversationPart(origin: string, id: string, messageId: string, partIndex: number): Promise<Row | null>;
  /** The system texts and tool lists the conversation's requests sent. */
  conversationContext(origin: string, id: string): Promise<Row[]>;
  /** The parts that contain `q`, with their ordinals in the parts' order; `more` when there are more than shown. */
  conversationSearch(origin: string, id: string, q: string): Promise<{ matches: Row[]; more: boolean }>;
  /** The image of an image part, read from the raw exchange that first carried it. */
  conversationPartImage(origin: string, id: string, messageId: string, partIndex: number): Promise<ServedImage>;
  exchange(gatewayId: string, date: string, exchangeId: string): Promise<Row>;
  /** Image `index` of an exchange's request (in the order of the exchange's `images`). */
  exchangeImage(gatewayId: string, date: string, exchangeId: string, index: number): Promise<ServedImage>;

  /** `source`: `all` (the proxy's requests and the imported transcripts', each once), `proxy` or `transcripts`. */
  usage(report: string, breakdown: boolean, range: TimeRange, source: "proxy" | "transcripts" | "all"): Promise<Row[]>;

  traces(
    filter: { service?: string; name?: string; minMs?: number; maxMs?: number; status?: "error" | "ok" | "unset" },
    range: TimeRange,
    page: PageRequest,
  ): Promise<PageOf>;
  traceServices(): Promise<string[]>;
  trace(traceId: string): Promise<{ spans: Row[]; truncated: boolean }>;
  span(traceId: string, spanId: string): Promise<Row | null>;

  logs(
    filter: { q?: string; service?: string; minSeverity?: number; traceId?: string; ascending?: boolean },
    range: TimeRange,
    page: PageRequest,
  ): Promise<PageOf>;

  metrics(q: string | undefined, page: PageRequest): Promise<PageOf>;
  metricSeries(name: string, range: TimeRange): Promise<Row[]>;

  /** One read-only SELECT: its columns and at most `limit` rows. */
  sql(text: string, limit: number): Promise<{ columns: string[]; rows: unknown[][]; more: boolean }>;
  /** One read-only SELECT as CSV lines (a header first), produced as they are read. */
  sqlCsv(text: string): Promise<AsyncIterable<string>>;
}
