/**
 * What the supervisor client reads from a supervisor that answers too much: a JSON answer or an error body is read up
 * to a bound, never whole into memory.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SupervisorClient, SupervisorError } from "../../../server/gascity/supervisor_client.ts";

/** A body of `total` bytes: `head`, then `fill` bytes, then `tail`; `pulled()` says how many bytes were read. */
function longBody(head: string, total: number, tail: string) {
  const enc = new TextEncoder();
  const piece = enc.encode(`{"id":"${"s".repeat(64 * 1024 - 10)}"},`);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(head));
    },
    pull(controller) {
      if (pulled >= total) {
        controller.enqueue(enc.encode(tail));
        controller.close();
        return;
      }
      pulled += piece.byteLength;
      controller.enqueue(piece);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled };
}

test("a JSON answer longer than the client reads is refused without being read whole", async () => {
  const body = longBody('{"items":[', 16 * 1024 * 1024, '{"id":"x"}]}');
  const client = new SupervisorClient("http://supervisor.invalid", {
    fetch: () => Promise.resolve(new Response(body.stream, { headers: { "content-type": "application/json" } })),
    maxJsonBytes: 1024 * 1024,
  });
  await assert.rejects(
    client.listSessions("alpha"),
    (error: Error) =>
      error instanceof SupervisorError &&
      error.message === "Cannot list the sessions: the answer is longer than 1 MiB",
  );
  assert.ok(body.pulled() < 2 * 1024 * 1024, `read ${body.pulled()} bytes`);
  // Within the bound, as before.
  const small = new SupervisorClient("http://supervisor.invalid", {
    fetch: () => Promise.resolve(Response.json({ items: [{ id: "s-1" }] })),
    maxJsonBytes: 1024,
  });
  assert.deepEqual(await small.listSessions("alpha"), [{ id: "s-1" }]);
});

test("an error answer's body is read only as far as its detail needs", async () => {
  const body = longBody("", 16 * 1024 * 1024, "");
  const client = new SupervisorClient("http://supervisor.invalid", {
    fetch: () => Promise.resolve(new Response(body.stream, { status: 500 })),
  });
  await assert.rejects(client.listSessions("alpha"), /^SupervisorError: Cannot list the sessions: HTTP 500 \({"id":"s/);
  assert.ok(body.pulled() < 1024 * 1024, `read ${body.pulled()} bytes`);
});
