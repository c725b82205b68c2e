import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { readExchangeImage, readRecordedExchange } from "../../query/proxy_exchange.ts";
import { imageBytes, MAX_IMAGE_BYTES } from "../../query/proxy_images.ts";
import { MessageWalker } from "../../query/proxy_messages/walker.ts";
import { readPartImage } from "../../query/proxy_part_image.ts";
import { ROOT, tempDir } from "../helpers/child.ts";

const PNG = (await readFile(path.join(ROOT, "tests", "fixtures", "images", "checker.png"))).toString("base64");
const DATE = "2025-03-01";

/** An exchange row as the recorder writes it, answered with a JSON body. */
function exchange(n: number, requestPath: string, body: unknown, answer: unknown) {
  return {
    exchange_id: `${String(n).padStart(2, "0")}${"e".repeat(30)}`,
    kind: "exchange",
    ts_start: `${DATE}T10:00:0${n}.000Z`,
    ts_end: `${DATE}T10:00:0${n}.500Z`,
    duration_ms: 500,
    request: { method: "POST", path: requestPath, headers: {}, body: JSON.stringify(body) },
    response: { status: 200, headers: {}, body: JSON.stringify(answer) },
  };
}

const anthropicAnswer = {
  role: "assistant",
  content: [{ type: "text", text: "a checkerboard" }],
  stop_reason: "end_turn",
};
const EXCHANGES = [
  exchange(1, "/v1/messages", {
    model: "claude-x",
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "two pictures" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
      ],
    }],
  }, anthropicAnswer),
  exchange(2, "/v1/responses", {
    model: "gpt-x",
    input: [{
      role: "user",
      content: [
        { type: "input_text", text: "and this" },
        { type: "input_image", image_url: `data:image/png;base64,${PNG}` },
        { type: "input_image", image_url: "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" },
      ],
    }],
  }, {
    status: "completed",
    output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] }],
  }),
  exchange(3, "/v1/chat/completions", {
    model: "gpt-x",
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ],
  }, { choices: [{ message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] }),
];

async function dayFile(): Promise<{ root: string; remove(): Promise<void> }> {
  const tmp = await tempDir("ctvs-images-");
  await mkdir(path.join(tmp.dir, "gw", "proxy"), { recursive: true });
  await writeFile(
    path.join(tmp.dir, "gw", "proxy", `${DATE}.jsonl`),
    EXCHANGES.map((e) => JSON.stringify(e)).join("\n") + "\n",
  );
  return { root: tmp.dir, remove: tmp.remove };
}

test("readPartImage() finds the image of every image part the walker makes, for each API", async () => {
  const day = await dayFile();
  try {
    const walker = new MessageWalker();
    const rows = EXCHANGES.flatMap((e) => walker.exchange({ exchange: e, events: [] }));
    const images = rows.filter((r) => r.part_type === "image");
    assert.equal(images.length, 5);
    const kinds = [];
    for (const row of images) {
      const image = await readPartImage(day.root, {
        gatewayId: "gw",
        date: DATE,
        tsStart: String(row.message_created_at),
        conversationId: String(row.conversation_id),
        messageIndex: Number(row.message_index),
        partIndex: Number(row.part_index),
      });
      assert.ok(image, `the image of ${row.message_created_at} part ${row.part_index}`);
      const served = imageBytes(image);
      kinds.push(served.kind);
      if (served.kind === "bytes") assert.equal(Buffer.from(served.bytes).toString("base64"), PNG);
    }
    assert.deepEqual(kinds, ["bytes", "link", "bytes", "unsupported", "bytes"]);
    // A text part, another conversation, a day with no file: nothing.
    const text = rows.find((r) => r.part_type === "text")!;
    const place = {
      gatewayId: "gw",
      date: DATE,
      tsStart: String(text.message_created_at),
      conversationId: String(text.conversation_id),
      messageIndex: Number(text.message_index),
      partIndex: Number(text.part_index),
    };
    assert.equal(await readPartImage(day.root, place), undefined);
    assert.equal(await readPartImage(day.root, { ...place, partIndex: 1, conversationId: "other" }), undefined);
    assert.equal(await readPartImage(day.root, { ...place, partIndex: 1, date: "2025-03-02" }), undefined);
    await assert.rejects(readPartImage(day.root, { ...place, gatewayId: "../gw" }), RangeError);
  } finally {
    await day.remove();
  }
});

test("readRecordedExchange() lists the request's images and marks their data in the body; readExchangeImage() reads one", async () => {
  const day = await dayFile();
  try {
    const id = EXCHANGES[0].exchange_id;
    const found = await readRecordedExchange(day.root, "gw", DATE, id);
    assert.deepEqual(found.images, [
      { path: "messages[0].content[1]", media_type: "image/png", bytes: 129 },
      { path: "messages[0].content[2]", media_type: null, url: "https://example.com/cat.png" },
    ]);
    const body = (found.exchange!.request as { body: string }).body;
    assert.ok(!body.includes(PNG));
    assert.equal(JSON.parse(body).messages[0].content[1].source.data, "[image 1: image/png, 129 bytes]");
    const image = await readExchangeImage(day.root, "gw", DATE, id, 0);
    assert.equal(image?.image.data, PNG);
    assert.equal((await readExchangeImage(day.root, "gw", DATE, id, 1))?.image.url, "https://example.com/cat.png");
    assert.equal(await readExchangeImage(day.root, "gw", DATE, id, 2), undefined);
  } finally {
    await day.remove();
  }
});

test("imageBytes() serves PNG, JPEG, GIF and WebP data up to the cap, and says why it will not serve the rest", () => {
  assert.equal(imageBytes({ media_type: "IMAGE/JPEG", data: "/9j/4A==" }).kind, "bytes");
  assert.deepEqual(imageBytes({ media_type: "image/svg+xml", data: "PHN2Zz4=" }), {
    kind: "unsupported",
    media_type: "image/svg+xml",
  });
  assert.deepEqual(imageBytes({ media_type: null, data: "AAAA" }), { kind: "unsupported", media_type: null });
  assert.deepEqual(imageBytes({ media_type: null, file_id: "file-1" }), { kind: "file", file_id: "file-1" });
  const big = "A".repeat(Math.ceil((MAX_IMAGE_BYTES + 3) * 4 / 3));
  assert.equal(imageBytes({ media_type: "image/png", data: big }).kind, "too_big");
});
