/**
 * Paging for the reads behind `ctvs ui`: a page is `limit` rows from `offset`, and one row more is asked for so the
 * answer can say whether another page follows without counting the whole table.
 *
 * @module
 */

/** One page of a listing. */
export interface Page {
  limit: number;
  offset: number;
}

/** The most rows one page may ask for. */
export const MAX_PAGE_ROWS = 2000;

/**
 * ` LIMIT <limit + 1> OFFSET <offset>`: one row past the page tells whether there is more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(pageClause({ limit: 50, offset: 100 }), " LIMIT 51 OFFSET 100");
 * ```
 */
export function pageClause(page: Page): string {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_ROWS) {
    throw new RangeError(`Cannot page: limit must be 1 to ${MAX_PAGE_ROWS}, got ${page.limit}`);
  }
  if (!Number.isSafeInteger(page.offset) || page.offset < 0) {
    throw new RangeError(`Cannot page: offset must be 0 or more, got ${page.offset}`);
  }
  return ` LIMIT ${page.limit + 1} OFFSET ${page.offset}`;
}

/** The rows of a page and whether more follow. */
export interface Paged<Row> {
  rows: Row[];
  offset: number;
  more: boolean;
}

/**
 * Cuts the extra row {@link pageClause} asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(paged([1, 2, 3], { limit: 2, offset: 0 }), { rows: [1, 2], offset: 0, more: true });
 * ```
 */
export function paged<Row>(rows: Row[], page: Page): Paged<Row> {
  return { rows: rows.slice(0, page.limit), offset: page.offset, more: rows.length > page.limit };
}

/**
 * A SQL condition that `column`, as text, contains `needle` ignoring case (no LIKE wildcards to escape).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(containsText('"cwd"', "O'k"), `strpos(lower(CAST("cwd" AS VARCHAR)), lower('O''k')) > 0`);
 * ```
 */
export function containsText(column: string, needle: string): string {
  return `strpos(lower(CAST(${column} AS VARCHAR)), lower('${needle.replaceAll("'", "''")}')) > 0`;
}
