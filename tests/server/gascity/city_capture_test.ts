/**
 * Capture of one city against the supervisor double over real sockets and real SSE: sessions and events recorded
 * exactly once through disconnects, supervisor restarts and capture restarts; filters; malformed frames.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort } from "../../helpers/child.ts";
import { eventually } from "../../helpers/until.ts";
import { harness, line } from "./_harness.ts";

const MAYOR = { id: "s-1", template: "mayor", rig: "rig-a", alias: "mayor", state: "active", provider: "claude" };

function keys(rows: Record<string, unknown>[]): unknown[] {
  return rows.map((r) => r.key);
}

test("CityCapture records a live session's lines and the city events, exactly", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1"), line("u2")]);
    const capture = h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2"]));
    assert.deepEqual((await h.messages())[0], {
      city: "alpha",
      session: "s-1",
      template: "mayor",
      rig: "rig-a",
      alias: "mayor",
      key: "u1",
      text: "u1",
      n: 1,
    });
    // Wait for the event stream to be open before emitting (it starts at the head).
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.appendLines("alpha", "s-1", [line("u3"), line("u4")], 1);
    const mail = h.double.emit("alpha", "mail.sent", {
      actor: "human",
      subject: "mayor",
      message: "hello",
      ts: "2026-04-17T15:20:52.136314-07:00",
    });
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3", "u4"]));
    await eventually(async () => assert.equal((await h.events()).length, 1));
    assert.deepEqual((await h.events())[0], {
      event_scope: "city",
      city: "alpha",
      supervisor_url: h.double.url,
      seq: mail.seq,
      event_id: `city:alpha:seq:${mail.seq}`,
      type: "mail.sent",
      ts: "2026-04-17T15:20:52.136314-07:00",
      actor: "human",
      subject: "mayor",
      message: "hello",
      payload: null,
      raw_event: mail,
    });
    // The cursor moves once the row is on disk: a moment after the row can be read.
    await eventually(() => assert.equal(capture.status.last_seq, mail.seq));
    const status = capture.status;
    assert.equal(status.state, "connected");
    assert.deepEqual(status.sessions.map((s) => [s.session_id, s.lines, s.state]), [["s-1", 4, "streaming"]]);
  } finally {
    await h.close();
  }
});

test("CityCapture writes nothing twice after a disconnect mid-stream, and loses nothing sent while away", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1")]);
    const capture = h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1"]));
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "bead.created", { subject: "b-1" });
    await eventually(async () => assert.equal((await h.events()).length, 1));
    h.double.dropConnections();
    // Written while the streams are down: the raw stream replays them, the event stream resumes after the cursor.
    h.double.appendLines("alpha", "s-1", [line("u2")]);
    h.double.emit("alpha", "bead.closed", { subject: "b-1" });
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2"]));
    await eventually(async () =>
      assert.deepEqual((await h.events()).map((e) => e.type), ["bead.created", "bead.closed"])
    );
    h.double.appendLines("alpha", "s-1", [line("u3")]);
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3"]));
    assert.ok(capture.status.reconnects >= 1);
    assert.ok(h.double.requests.some((r) => /events\/stream\?after_seq=1$/.test(r)), h.double.requests.join("\n"));
  } finally {
    await h.close();
  }
});

test("CityCapture resumes after a supervisor restart: new seqs once, none repeated", async () => {
  const h = await harness({ port: await freePort() });
  try {
    h.double.addSession("alpha", MAYOR, []);
    h.capture();
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "session.woke", { subject: "s-1" });
    await eventually(async () => assert.equal((await h.events()).length, 1));
    await h.double.restart({ downMs: 300 });
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "mail.sent", { subject: "mayor" });
    await eventually(async () => assert.deepEqual((await h.events()).map((e) => e.seq), [1, 2]));
    assert.ok(h.logs.some((l) => /gascity alpha: .*retrying with backoff/.test(l)), h.logs.join("\n"));
    assert.ok(h.logs.some((l) => /gascity alpha: connected to .* again/.test(l)), h.logs.join("\n"));
  } finally {
    await h.close();
  }
});

test("CityCapture starts over, in a new epoch, when the supervisor's event log restarted below the cursor", async () => {
  const h = await harness({ port: await freePort() });
  try {
    h.capture();
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    for (const type of ["a.one", "a.two", "a.three"]) h.double.emit("alpha", type);
    await eventually(async () => assert.equal((await h.events()).length, 3));
    await h.double.restart({ keepLog: false });
    h.double.emit("alpha", "b.one");
    await eventually(async () => assert.equal((await h.events()).length, 4));
    const last = (await h.events())[3];
    assert.equal(last.type, "b.one");
    assert.equal(last.seq, 1);
    assert.equal(last.event_id, "city:alpha:e1:seq:1");
    assert.ok(h.logs.some((l) => /event log restarted \(head seq \d, recorded up to 3\)/.test(l)), h.logs.join("\n"));
  } finally {
    await h.close();
  }
});

test("a restarted capture writes no line or event twice (journal and cursor)", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1"), line("u2")]);
    const first = h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2"]));
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "mail.sent");
    await eventually(async () => assert.equal((await h.events()).length, 1));
    await first.stop();
    h.double.appendLines("alpha", "s-1", [line("u3")]);
    h.double.emit("alpha", "mail.read");
    h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3"]));
    await eventually(async () => assert.deepEqual((await h.events()).map((e) => e.type), ["mail.sent", "mail.read"]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3"]);
    // The row maker went on from its saved state.
    assert.deepEqual((await h.messages()).map((r) => r.n), [1, 2, 3]);
  } finally {
    await h.close();
  }
});

test("a restarted capture reads what was written and compacted out of the stream's replay while it was away", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1"), line("u2")]);
    const first = h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2"]));
    await first.stop();
    // While away: two lines, then a compaction, then one more. A new raw stream replays only from the compaction.
    h.double.appendLines("alpha", "s-1", [line("u3"), line("u4")]);
    h.double.compact("alpha", "s-1");
    h.double.appendLines("alpha", "s-1", [line("u5")]);
    h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3", "u4", "u5"]));
    assert.ok(
      h.double.requests.some((r) => r.endsWith("/session/s-1/transcript?format=raw&after=u2")),
      h.double.requests.join("\n"),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(keys(await h.messages()), ["u1", "u2", "u3", "u4", "u5"]);
  } finally {
    await h.close();
  }
});

test("an event write that fails (a full disk) leaves the cursor; the event is recorded once the disk is back", async () => {
  const h = await harness();
  try {
    const written: Record<string, unknown>[] = [];
    let full = true;
    h.capture({}, {
      writeEvents: (rows) => {
        if (full) return Promise.reject(new Error("Cannot write day file: no space left on device (ENOSPC)"));
        written.push(...rows);
        return Promise.resolve();
      },
    });
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "bead.created", { subject: "b-1" });
    await eventually(() => assert.ok(h.logs.some((l) => /ENOSPC.*retrying with backoff/.test(l)), h.logs.join("\n")));
    full = false;
    await eventually(() => assert.deepEqual(written.map((r) => r.seq), [1]));
    h.double.emit("alpha", "bead.closed", { subject: "b-1" });
    await eventually(() => assert.deepEqual(written.map((r) => r.seq), [1, 2]));
  } finally {
    await h.close();
  }
});

test("include_templates and exclude_templates choose the sessions recorded", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("m1")]);
    h.double.addSession("alpha", { ...MAYOR, id: "s-2", template: "polecat-1", alias: "p1" }, [line("p1")]);
    h.double.addSession("alpha", { ...MAYOR, id: "s-3", template: "polecat-scratch", alias: "p2" }, [line("p2")]);
    h.double.addSession("alpha", { ...MAYOR, id: "s-4", template: "deacon", alias: "d" }, [line("d1")]);
    h.capture({ include_templates: ["mayor", "polecat-*"], exclude_templates: ["polecat-scratch"] });
    await eventually(async () => assert.deepEqual(keys(await h.messages()).sort(), ["m1", "p1"]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(keys(await h.messages()).sort(), ["m1", "p1"]);
    assert.equal(h.double.requests.filter((r) => r.includes("/stream?format=raw")).length, 2);
  } finally {
    await h.close();
  }
});

test("a partial session list retires no session it leaves out; a full one retires the sessions gone", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1")]);
    h.double.addSession("alpha", { ...MAYOR, id: "s-2", alias: "m2" }, [line("v1")]);
    const capture = h.capture({}, { reconcileMs: 100 });
    await eventually(() => assert.equal(capture.status.sessions.length, 2));
    h.double.partialLists = true;
    h.double.unlisted.add("s-1");
    const lists = h.double.requests.filter((r) => r.includes("/sessions")).length;
    await eventually(() => assert.ok(h.double.requests.filter((r) => r.includes("/sessions")).length >= lists + 3));
    assert.deepEqual(capture.status.sessions.map((s) => s.session_id).sort(), ["s-1", "s-2"]);
    h.double.partialLists = false;
    await eventually(() => assert.deepEqual(capture.status.sessions.map((s) => s.session_id), ["s-2"]));
  } finally {
    await h.close();
  }
});

test("a malformed frame is counted and skipped; the frames around it are recorded", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, [line("u1")]);
    const capture = h.capture();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1"]));
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.sendToSessionStreams("alpha", "s-1", "event: message\nid: 9\ndata: {not json\n\n");
    h.double.sendToSessionStreams("alpha", "s-1", 'event: message\ndata: {"id":"s-1","messages":"nope"}\n\n');
    h.double.sendToEventStreams("alpha", "id: 99\nevent: event\ndata: [1,2\n\n");
    h.double.appendLines("alpha", "s-1", [line("u2"), "not an object" as unknown as Record<string, unknown>]);
    h.double.emit("alpha", "mail.sent");
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1", "u2"]));
    await eventually(async () => assert.equal((await h.events()).length, 1));
    const status = capture.status;
    assert.equal(status.sessions[0].malformed_frames, 2);
    assert.equal(status.malformed_frames, 1);
    assert.equal(status.malformed_lines, 1);
    assert.equal(status.reconnects, 0);
    assert.equal(h.logs.filter((l) => /skipped a malformed frame of session s-1/.test(l)).length, 1);
  } finally {
    await h.close();
  }
});

test("older builds' event names (the type as the SSE event) are understood too", async () => {
  const h = await harness({ legacyEventNames: true });
  try {
    h.capture();
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.addSession("alpha", MAYOR, [line("u1")]);
    h.double.emit("alpha", "session.woke", { subject: "s-1" });
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1"]));
    assert.deepEqual((await h.events()).map((e) => e.type), ["session.woke"]);
  } finally {
    await h.close();
  }
});

test("sessions follow the lifecycle events: created starts a worker, stopped reads the last lines and ends it", async () => {
  const h = await harness();
  try {
    const capture = h.capture();
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    const polecat = { ...MAYOR, id: "s-9", template: "polecat", alias: "p9" };
    h.double.addSession("alpha", polecat, [line("a")]);
    h.double.emit("alpha", "request.result.session.create", { payload: { request_id: "req-1", session: polecat } });
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["a"]));
    await eventually(() => assert.equal(h.double.openStreams.sessions, 1));
    // Lines the stream never delivers (cut before they were sent) come from the transcript when the session stops.
    h.double.dropConnections();
    h.double.setState("alpha", "s-9", "closed");
    h.double.appendLines("alpha", "s-9", [line("b"), line("c")]);
    await eventually(() => assert.equal(h.double.openStreams.events, 1));
    h.double.emit("alpha", "session.stopped", { payload: { session_id: "s-9", template: "polecat" } });
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["a", "b", "c"]));
    await eventually(() => assert.deepEqual(capture.status.sessions, []));
  } finally {
    await h.close();
  }
});

test("a supervisor that is down at start is retried, never fatal", async () => {
  const port = await freePort();
  const h = await harness({ port });
  try {
    await h.double.close();
    const capture = h.capture();
    await eventually(() => assert.equal(capture.status.state, "retrying"));
    h.double.addSession("alpha", MAYOR, [line("u1")]);
    await h.double.restart();
    await eventually(async () => assert.deepEqual(keys(await h.messages()), ["u1"]));
    assert.equal(capture.status.state, "connected");
    assert.equal(h.logs.filter((l) => /unreachable/.test(l)).length, 1, h.logs.join("\n"));
  } finally {
    await h.close();
  }
});

test("a stream silent past the idle deadline (no heartbeat, no keepalive) is reopened", async () => {
  const h = await harness({ keepaliveMs: 60_000, heartbeatMs: 60_000 });
  try {
    h.double.addSession("alpha", MAYOR, []);
    const capture = h.capture({}, { idleMs: 300 });
    await eventually(() => assert.ok(capture.status.reconnects >= 1));
    assert.ok(h.logs.some((l) => /nothing arrived for 0 s|nothing arrived/.test(l)), h.logs.join("\n"));
  } finally {
    await h.close();
  }
});

test("keepalive comments and heartbeats keep a quiet stream open", async () => {
  const h = await harness({ keepaliveMs: 50, heartbeatMs: 80 });
  try {
    h.double.addSession("alpha", MAYOR, []);
    const capture = h.capture({}, { idleMs: 400 });
    await eventually(() => assert.equal(capture.status.state, "connected"));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(capture.status.reconnects, 0);
    assert.equal(capture.status.sessions[0].reconnects, 0);
    assert.deepEqual(await h.events(), []);
  } finally {
    await h.close();
  }
});

test("an event stream line that never ends is refused at 64 MiB and the stream reopened, not held in memory", async () => {
  const h = await harness();
  try {
    h.double.addSession("alpha", MAYOR, []);
    const capture = h.capture();
    await eventually(() => assert.equal(capture.status.state, "connected"));
    const piece = "x".repeat(1024 * 1024);
    h.double.sendToEventStreams("alpha", "data: ");
    for (let i = 0; i < 72; i++) h.double.sendToEventStreams("alpha", piece);
    await eventually(() => assert.ok(capture.status.reconnects >= 1), { timeoutMs: 20_000 });
    assert.ok(h.logs.some((l) => /an event is longer than 64 MiB/.test(l)), h.logs.join("\n"));
    // The reopened stream records what follows.
    await eventually(() => assert.equal(capture.status.state, "connected"));
    h.double.emit("alpha", "bead.created", { subject: "b-1" });
    await eventually(async () => assert.deepEqual((await h.events()).map((e) => e.type), ["bead.created"]));
  } finally {
    await h.close();
  }
});

test("a city listing more live sessions than the bound records that many, and the next ones as others stop", async () => {
  const h = await harness();
  try {
    for (let i = 1; i <= 5; i++) {
      h.double.addSession("alpha", { ...MAYOR, id: `s-${i}`, alias: `m${i}` }, [line(`u${i}`)]);
    }
    const capture = h.capture({}, { reconcileMs: 100, maxSessions: 3 });
    await eventually(() => assert.equal(capture.status.sessions.length, 3));
    await eventually(async () => assert.equal((await h.messages()).length, 3));
    const lists = h.double.requests.filter((r) => r.includes("/sessions")).length;
    await eventually(() => assert.ok(h.double.requests.filter((r) => r.includes("/sessions")).length >= lists + 2));
    assert.equal(capture.status.sessions.length, 3);
    assert.equal(h.double.openStreams.sessions, 3);
    assert.equal(h.logs.filter((l) => /more than 3 live sessions/.test(l)).length, 1, h.logs.join("\n"));
    // One stops: a fourth is recorded in its place.
    const first = capture.status.sessions[0].session_id;
    h.double.setState("alpha", first, "stopped");
    await eventually(() => assert.ok(!capture.status.sessions.some((s) => s.session_id === first)));
    await eventually(async () => assert.equal((await h.messages()).length, 4));
    assert.equal(capture.status.sessions.length, 3);
  } finally {
    await h.close();
  }
});
