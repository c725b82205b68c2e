import { test } from "node:test";
import { validateQuery } from "../../../platform/config/validate_query.ts";
import { type Rejection, standalone, testRejections } from "./_fixtures.ts";

/** Every rule of the `query` block (the query settings): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["query as a string", standalone({ query: "fast" }), "/query: must be an object"],
  ["the pre-3.0 query.parquet", standalone({ query: { parquet: {} } }), '/query/parquet: unknown key "parquet"'],
  ["query.cache as a boolean", standalone({ query: { cache: true } }), "/query/cache: must be an object"],
  [
    "a string cache.enabled",
    standalone({ query: { cache: { enabled: "yes" } } }),
    "/query/cache/enabled: must be a boolean",
  ],
  ["an empty cache.dir", standalone({ query: { cache: { dir: "" } } }), "/query/cache/dir: must be a non-empty string"],
  [
    "an empty claude_transcripts_dir",
    standalone({ query: { claude_transcripts_dir: "" } }),
    "/query/claude_transcripts_dir: must be a non-empty string (a directory) or false",
  ],
  [
    "claude_transcripts_dir true",
    standalone({ query: { claude_transcripts_dir: true } }),
    "/query/claude_transcripts_dir: must be a non-empty string (a directory) or false",
  ],
  ["an unknown cache key", standalone({ query: { cache: { ttl: 1 } } }), '/query/cache/ttl: unknown key "ttl"'],
];

testRejections(REJECTED);

test("query.claude_transcripts_dir: a directory or false is accepted", () => {
  for (const dir of ["~/.claude/projects", false]) {
    validateQuery({ claude_transcripts_dir: dir, cache: { enabled: true } });
  }
});
