/** @jsxImportSource preact */
/**
 * `usePaged`: what the list screens share: the route's parameters as the filter, one page of rows read from the
 * server, navigation to other filters, and the pager.
 *
 * @module
 */
/// <reference lib="dom" />
import { get, type PageOf, type Row } from "../api.ts";
import { href, replaceRoute } from "../route.ts";
import { Pager } from "./common.tsx";
import { useLoad } from "./load.ts";

/** Reads page `offset` (a route parameter) of `path` filtered by the route's parameters. */
export function usePaged(path: string, screen: string, params: URLSearchParams, limit: number) {
  const query = Object.fromEntries(params.entries());
  const offset = Number(query.offset ?? 0);
  const loaded = useLoad(
    (signal) => get<PageOf<Row>>(path, { ...query, limit, offset }, signal),
    params.toString(),
  );
  const go = (next: Record<string, string | number>) => replaceRoute(href(screen, next));
  const pager = loaded.data && (
    <Pager
      offset={offset}
      limit={limit}
      more={loaded.data.more}
      shown={loaded.data.rows.length}
      onPage={(o) => go({ ...query, offset: o })}
    />
  );
  return { query, ...loaded, go, pager };
}
