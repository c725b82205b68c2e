/**
 * Queries over the S3 archive (`ctvs query ... --archive`): list only the archived partitions the query's gateway and
 * date filters need (`<prefix>/<gw>/<dataset>/date=<d>/data.parquet`, reference §8.1), download the ones not cached
 * yet into `<cacheDir>/archive/<bucket>/<key>`, and offer them as the datasets' tables, so the same SQL runs over them.
 * The archive files keep the key's Hive `date=` directory, which gives the tables their `date` column.
 *
 * Archived objects never change (the uploader writes each key once), so a file already in the cache with the listed
 * size is used as is.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { unlessMissing } from "../platform/fs_error.ts";
import type { Config } from "../platform/config/types.ts";
import { type CredentialEnv, credentialProvider } from "../storage/s3/credentials.ts";
import { downloadFile } from "../storage/s3/download_file.ts";
import { S3Client } from "../storage/s3/s3_client.ts";
import { ARCHIVED_SIGNALS, uploadSettings } from "../storage/upload/upload_settings.ts";
import type { Dataset } from "./dataset.ts";
import type { Scope } from "./scope.ts";
import type { TableSource } from "./session.ts";

/** The datasets the uploader archives (`proxy` goes up as `proxy_messages`). */
export const ARCHIVED_DATASETS: readonly string[] = Object.values(ARCHIVED_SIGNALS).map((s) => s.dataset);

/** One archived partition the query needs. */
export interface ArchivePartition {
  key: string;
  size: number;
  /** Where it is cached. */
  file: string;
}

/** What {@linkcode archiveTables} needs. */
export interface ArchiveQueryOptions {
  /** The config; its `upload` block names the bucket, prefix, endpoint and region. */
  config: Config;
  /** The query cache; archive files go to `<cacheDir>/archive/<bucket>/<key>`. */
  cacheDir: string;
  datasets: readonly Dataset[];
  scope: Scope;
  /** Where credentials and `AWS_REGION` are read. */
  env: CredentialEnv;
  /** A client to use (tests); default: one built from the upload block and `env`. */
  client?: S3Client;
  /** Called before each download (`index` of `total` files to fetch). */
  onFetch?(partition: ArchivePartition, index: number, total: number): void;
}

/** The tables over the archive, and what was listed and fetched. */
export interface ArchiveTables {
  tables: TableSource[];
  partitions: ArchivePartition[];
  fetched: number;
}

const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})\/data\.parquet$/;

/** True when `date` passes the scope's `--date` and `--from`/`--to` (by day; the rows are filtered again by time). */
function dateWanted(date: string, scope: Scope): boolean {
  if (scope.dates && !scope.dates.includes(date)) return false;
  if (scope.from && date < scope.from.slice(0, 10)) return false;
  if (scope.to && date > scope.to.slice(0, 10)) return false;
  return true;
}

/**
 * Lists, fetches and describes the archived partitions of `datasets` within `scope`; see the module doc.
 *
 * @throws Error when the config has no `upload` block or a dataset is not archived (`llm_requests`).
 */
export async function archiveTables(options: ArchiveQueryOptions): Promise<ArchiveTables> {
  const { config, scope } = options;
  if (!config.upload) throw new Error("--archive needs the config's upload block (bucket, endpoint, prefix)");
  for (const dataset of options.datasets) {
    if (!ARCHIVED_DATASETS.includes(dataset.name)) {
      throw new Error(`${dataset.name} is not in the archive (it archives ${ARCHIVED_DATASETS.join(", ")})`);
    }
  }
  const settings = uploadSettings(config.upload, options.env);
  const client = options.client ??
    new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      credentials: credentialProvider(options.env),
    });
  const base = settings.prefix === "" ? "" : `${settings.prefix}/`;
  const gateways = scope.gatewayIds ??
    (await client.list(settings.bucket, base, "/")).prefixes.map((p) => p.slice(base.length, -1));
  const local = path.join(options.cacheDir, "archive", settings.bucket);
  const partitions = new Map<string, ArchivePartition[]>();
  for (const dataset of options.datasets) {
    const found: ArchivePartition[] = [];
    for (const gateway of gateways) {
      const dir = `${base}${gateway}/${dataset.name}/`;
      // One listing per gateway and dataset; with --date alone a listing still beats a HEAD per day.
      const prefix = scope.dates?.length === 1 ? `${dir}date=${scope.dates[0]}/` : `${dir}date=`;
      for (const object of (await client.list(settings.bucket, prefix)).objects) {
        const date = DATE_DIR.exec(object.key.slice(dir.length))?.[1];
        if (!date || !dateWanted(date, scope)) continue;
        found.push({ key: object.key, size: object.size, file: path.join(local, ...object.key.split("/")) });
      }
    }
    partitions.set(dataset.name, found);
  }
  const all = [...partitions.values()].flat();
  const missing: ArchivePartition[] = [];
  for (const p of all) {
    if ((await unlessMissing(stat(p.file), "read", p.file))?.size !== p.size) missing.push(p);
  }
  for (const [index, p] of missing.entries()) {
    options.onFetch?.(p, index, missing.length);
    await downloadFile(client, settings.bucket, p.key, p.file);
  }
  const tables = options.datasets.map((dataset): TableSource => ({
    name: dataset.name,
    columns: dataset.columns,
    files: partitions.get(dataset.name)!.map((p) => p.file),
    scope: { timestamps: dataset.fallbackTimestamps, services: ["serviceName"], partitioned: true },
    // As over the local cache: a row two gateways recorded (one city attached on two hosts) shows once.
    ...(dataset.uniqueKey ? { uniqueKey: dataset.uniqueKey } : {}),
  }));
  return { tables, partitions: all, fetched: missing.length };
}
