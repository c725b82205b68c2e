/** @jsxImportSource preact */
/**
 * What the list screens share: `usePaged`, the route's parameters as the filter, one page of rows read from the
 * server, navigation to other filters, and the pager; and `PagedList`, the screen around them.
 *
 * @module
 */
/// <reference lib="dom" />
import type { ComponentChildren } from "preact";
import { get, type PageOf, type Row } from "../api.ts";
import { href, replaceRoute } from "../route.ts";
import { Empty, ErrorBox, Filters, formParams, Loading, Pager } from "./common.tsx";
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
  const filtered = Object.keys(query).some((key) => key !== "offset" && query[key] !== "");
  return { query, offset, filtered, ...loaded, go, pager };
}

/**
 * A list screen over {@linkcode usePaged}'s page: the title, the filter form (searching goes to page one of the new
 * filter), the read's error and progress, then the page's rows (`rows`, once read) and the pager.
 */
export function PagedList(
  { title, paged, filters, error, rows, empty }: {
    title: string;
    paged: ReturnType<typeof usePaged>;
    filters: ComponentChildren;
    /** An error besides the page's (a read the filters need). */
    error?: string;
    rows(page: PageOf<Row>): ComponentChildren;
    /** Where the rows come from, said when there are none and no filter is set. */
    empty: string;
  },
) {
  return (
    <section>
      <h1>{title}</h1>
      <Filters onSubmit={(form) => paged.go(formParams(form))}>{filters}</Filters>
      <ErrorBox error={paged.error ?? error} />
      <Loading loading={paged.loading} />
      {paged.data && (
        <>
          {rows(paged.data)}
          {paged.data.rows.length === 0 && paged.offset === 0 && <Empty filtered={paged.filtered} source={empty} />}
          {paged.pager}
        </>
      )}
    </section>
  );
}
