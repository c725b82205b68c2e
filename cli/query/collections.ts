/**
 * Collections in the query commands: the ones a query names are refreshed (per `--refresh`) and offered as tables;
 * status, catalog and schema list them beside the built-in datasets.
 *
 * @module
 */
import { type Collection, loadCollections } from "../../query/collections/manifest.ts";
import {
  collectionSources,
  collectionTable,
  refreshCollection,
  type SourceStatus,
} from "../../query/collections/tables.ts";
import { openDb } from "../../query/duckdb.ts";
import type { TableSource } from "../../query/session.ts";
import type { Io } from "../io.ts";
import { type QueryContext, QueryError, type SharedDb } from "./context.ts";
import type { QueryOptions } from "./flags.ts";

/** A collection and the state of its sources. */
export interface CollectionState {
  collection: Collection;
  sources: SourceStatus[];
}

/** Every registered collection (those `wanted` accepts) with its sources as they are now. */
export async function collectionStates(
  ctx: QueryContext,
  wanted: (table: string) => boolean = () => true,
): Promise<CollectionState[]> {
  const all = Object.values(await loadCollections(ctx.root)).filter((c) => wanted(c.table));
  return await Promise.all(all.map(async (collection) => ({
    collection,
    sources: await collectionSources(ctx.cacheDir, collection),
  })));
}

/**
 * The tables of the collections `wanted` accepts, refreshed first unless `--refresh never`. A collection never read
 * into the cache is an error naming the command that reads it.
 */
export async function readyCollectionTables(
  ctx: QueryContext,
  wanted: (table: string) => boolean,
  options: QueryOptions,
  io: Io,
  shared?: SharedDb,
): Promise<TableSource[]> {
  let states = await collectionStates(ctx, wanted);
  const outdated = states.filter((s) => s.sources.some((src) => src.freshness.state !== "fresh"));
  if (options.refresh !== "never" && (outdated.length || options.refresh === "always")) {
    const db = shared ? await shared.start() : await openDb();
    try {
      for (const { collection } of options.refresh === "always" ? states : outdated) {
        const totals = await refreshCollection(db, ctx.cacheDir, collection, {
          onEvent: (e) => {
            if (e.kind === "malformed") {
              io.err(`[collectivus] skipping malformed JSONL line ${e.sourcePath}:${e.line.line}: ${e.line.reason}`);
            } else if (e.kind === "failed") {
              io.err(`error: refresh failed for ${e.table} from ${e.sourcePath}: ${e.error}`);
            }
          },
        });
        if (totals.failures) throw new QueryError(`refresh failed for ${totals.failures} collection source(s)`);
      }
    } finally {
      if (!shared) db.close();
    }
    states = await collectionStates(ctx, wanted);
  }
  for (const { collection, sources } of states) {
    const missing = sources.find((s) => s.freshness.state === "missing");
    if (missing) {
      throw new QueryError(
        `query cache is missing for ${collection.table} (${missing.sourcePath}): missing (${missing.freshness.reason}). ` +
          `Run: ctvs collect ${missing.sourcePath} --name ${collection.name} --replace`,
      );
    }
  }
  return states.map((s) => collectionTable(s.collection, s.sources));
}
