import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { writeArchiveParquet } from "../../../query/archive_parquet.ts";
import { PROXY_MESSAGES } from "../../../query/proxy_messages/dataset.ts";
import { runUploadTick } from "../../../storage/upload/run_uploads.ts";
import { uploadSettings } from "../../../storage/upload/upload_settings.ts";
import { tempDir } from "../../helpers/child.ts";
import { type S3Server, startS3 } from "../../helpers/s3_server.ts";
import { exchangeRow, writeProxyDay } from "../../query/proxy_messages/_fixtures.ts";
import { day, ledgerLines, parquetRows } from "./_fixtures.ts";

const SESSION = "5e55e55e-0000-4000-8000-0000000000a8";
const metadata = { user_id: JSON.stringify({ device_id: "d", account_uuid: "acct-1", session_id: SESSION }) };
const text = (t: string) => [{ type: "text", text: t }];

/** One non-streamed Anthropic exchange: `history` sent, `answer` returned. */
function exchange(id: string, ts: string, history: { role: string; text: string }[], answer: string) {
  const body = {
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    metadata,
    messages: history.map((m) => ({ role: m.role, content: text(m.text) })),
  };
  const response = {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: text(answer),
    stop_reason: "end_turn",
    usage: { input_tokens: 5, output_tokens: 3 },
  };
  return exchangeRow(id, ts, { body, response, cwd: "/repo", git_branch: "main" });
}

describe("proxy days upload as proxy_messages against radosgw", () => {
  let s3: S3Server;
  before(async () => s3 = await startS3());
  after(async () => await s3?.stop());

  it("keys <prefix>/<gw>/proxy_messages/date=<d>/data.parquet; a conversation past midnight is not repeated", async () => {
    const tmp = await tempDir();
    try {
      const root = tmp.dir;
      const bucket = await s3.bucket();
      const [d2, d1] = [day(2), day(1)];
      await writeProxyDay(root, "gw", d2, [
        exchange("e1", `${d2}T23:50:00.000Z`, [{ role: "user", text: "hello" }], "hi"),
      ]);
      await writeProxyDay(root, "gw", d1, [
        exchange("e2", `${d1}T00:05:00.000Z`, [
          { role: "user", text: "hello" },
          { role: "assistant", text: "hi" },
          { role: "user", text: "bye" },
        ], "ciao"),
      ]);
      const tick = (catchupDays: number) =>
        runUploadTick({
          root,
          settings: uploadSettings({ bucket, catchupDays, signals: ["proxy"] }, {}),
          client: s3.client(),
          writeParquet: writeArchiveParquet,
          log: (line) => assert.fail(line),
        });
      // Only yesterday is due, yet the day before still tells which messages were seen.
      assert.deepEqual(await tick(1), { jobs: 1, uploaded: 1, skipped: 0, failed: 0, retry: false });
      assert.deepEqual(await tick(3), { jobs: 2, uploaded: 1, skipped: 1, failed: 0, retry: false });
      const keys = [d2, d1].map((d) => `collectivus/gw/proxy_messages/date=${d}/data.parquet`);
      const listed = (await s3.client().list(bucket, "")).objects;
      assert.deepEqual(listed.map((o) => o.key), keys);
      assert.deepEqual(await ledgerLines(root), [
        { service: "gw", signal: "proxy", date: d1, status: "committed", key: keys[1], size: listed[1].size, rows: 2 },
        { service: "gw", signal: "proxy", date: d2, status: "committed", key: keys[0], size: listed[0].size, rows: 2 },
      ]);
      const sql = `SELECT gateway_id, conversation_id, message_index, role, part_type, content_text, cwd, git_branch,
        strftime(message_created_at, '%Y-%m-%dT%H:%M:%S') AS at FROM t ORDER BY message_index`;
      const row = (d: string, at: string, index: number, role: string, content: string) => ({
        gateway_id: "gw",
        conversation_id: SESSION,
        message_index: index,
        role,
        part_type: "text",
        content_text: content,
        cwd: "/repo",
        git_branch: "main",
        at: `${d}T${at}`,
      });
      assert.deepEqual(await parquetRows(await s3.client().get(bucket, keys[0]), root, sql), [
        row(d2, "23:50:00", 0, "user", "hello"),
        row(d2, "23:50:00", 1, "assistant", "hi"),
      ]);
      assert.deepEqual(await parquetRows(await s3.client().get(bucket, keys[1]), root, sql), [
        row(d1, "00:05:00", 2, "user", "bye"),
        row(d1, "00:05:00", 3, "assistant", "ciao"),
      ]);
      // The v2 schema: gateway_id first, every proxy_messages column, no date (it is in the key).
      const columns = await parquetRows(await s3.client().get(bucket, keys[1]), root, "DESCRIBE t");
      assert.deepEqual(
        columns.map((c) => c.column_name),
        PROXY_MESSAGES.columns.filter((c) => c.name !== "date").map((c) => c.name),
      );
    } finally {
      await tmp.remove();
    }
  });
});
