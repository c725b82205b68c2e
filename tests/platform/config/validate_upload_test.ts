import { type Rejection, standalone, testRejections, withUpload } from "./_fixtures.ts";

/** Every rule of the `upload` block (the S3 upload): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["upload without bucket", standalone({ upload: {} }), "/upload/bucket: bucket is required"],
  ["an empty bucket", withUpload({ bucket: "" }), "/upload/bucket: must be a non-empty string"],
  ["an empty prefix", withUpload({ prefix: "" }), "/upload/prefix: must be a non-empty string"],
  ["a numeric region", withUpload({ region: 5 }), "/upload/region: must be a string"],
  ["upload time 24:00", withUpload({ time: "24:00" }), "/upload/time: must be HH:MM (24-hour)"],
  ["upload time 7:00", withUpload({ time: "7:00" }), "/upload/time: must be HH:MM (24-hour)"],
  ["a numeric upload time", withUpload({ time: 700 }), "/upload/time: must be HH:MM (24-hour)"],
  ["signals as a string", withUpload({ signals: "logs" }), "/upload/signals: must be an array"],
  [
    "an unknown signal",
    withUpload({ signals: ["logs", "spans"] }),
    '/upload/signals/1: must be one of "logs", "traces", "metrics", "proxy", "gascity_messages", "gascity_events", ' +
    '"transcript_messages", "transcript_requests"',
  ],
  ["negative catchupDays", withUpload({ catchupDays: -1 }), "/upload/catchupDays: must be a non-negative integer"],
  ["fractional catchupDays", withUpload({ catchupDays: 1.5 }), "/upload/catchupDays: must be a non-negative integer"],
  ["an empty endpoint", withUpload({ endpoint: "" }), "/upload/endpoint: must be a non-empty string"],
  ["iceberg as true", withUpload({ iceberg: true }), "/upload/iceberg: must be an object"],
  ["an iceberg key", withUpload({ iceberg: { table: "t" } }), '/upload/iceberg/table: unknown key "table"'],
  ["an unknown upload key", withUpload({ acl: "private" }), '/upload/acl: unknown key "acl"'],
  ["an unknown key escaped in the pointer", withUpload({ "a/b~c": 1 }), '/upload/a~1b~0c: unknown key "a/b~c"'],
];

testRejections(REJECTED);
