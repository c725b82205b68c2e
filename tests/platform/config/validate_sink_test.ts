import { type Rejection, SINK, testRejections, withSink } from "./_fixtures.ts";

/** Every rule of the `sink` block (the sink): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["sink as a string", withSink("/tmp"), "/sink: must be an object"],
  ["sink type s3", withSink({ type: "s3", dir: "/tmp" }), '/sink/type: only sink type "file" is supported in v0'],
  ["sink without type", withSink({ dir: "/tmp" }), '/sink/type: only sink type "file" is supported in v0'],
  ["sink without dir", withSink({ type: "file" }), "/sink/dir: dir is required"],
  ["an empty sink dir", withSink({ type: "file", dir: "" }), "/sink/dir: must be a non-empty string"],
  ["an unknown fsync policy", withSink({ ...SINK, fsync: "never" }), '/sink/fsync: must be one of "always", "rotate"'],
  ["an unknown sink key", withSink({ ...SINK, path: "/tmp" }), '/sink/path: unknown key "path"'],
];

testRejections(REJECTED);
