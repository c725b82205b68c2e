import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Row, startHarness } from "./_harness.ts";

interface Compared {
  direct: Row;
  proxied: Row;
  exchanges: { exchange: Row; events: Row[] }[];
  requests: { body: Uint8Array }[];
}

/** Runs `work` against the fake directly and through the proxy; returns both results and the recording. */
async function directAndProxied(work: (baseURL: string) => Promise<unknown>): Promise<Compared> {
  const h = await startHarness();
  try {
    // Compared as JSON: what the SDK parsed out of the bytes, without its internal objects.
    const direct = JSON.parse(JSON.stringify(await work(h.fake.url)));
    const proxied = JSON.parse(JSON.stringify(await work(h.url)));
    const exchanges: { exchange: Row; events: Row[] }[] = await h.exchanges();
    return { direct, proxied, exchanges, requests: h.fake.requests };
  } finally {
    await h.close();
  }
}

const PROMPT = { model: "claude-fake", max_tokens: 256, messages: [{ role: "user" as const, content: "hello" }] };

test("@anthropic-ai/sdk streaming (thinking, text, tool_use) gets the same events through the proxy", async () => {
  const { direct, proxied, exchanges, requests } = await directAndProxied(async (baseURL) => {
    const client = new Anthropic({ apiKey: "sk-ant-test-abcd", baseURL, maxRetries: 0 });
    const results = [];
    for (const scenario of ["thinking", "tool"]) {
      const stream = client.messages.stream(PROMPT, { headers: { "x-fake-scenario": scenario } });
      const events = [];
      for await (const event of stream) events.push(event);
      results.push({ events, final: await stream.finalMessage() });
    }
    return results;
  });
  assert.deepEqual(proxied, direct);
  assert.equal(direct[0].final.content[0].type, "thinking");
  assert.deepEqual(direct[1].final.content[0], {
    type: "tool_use",
    id: direct[1].final.content[0].type === "tool_use" ? direct[1].final.content[0].id : "",
    name: "Bash",
    input: { command: "echo ctvs-e2e", description: "Print a marker" },
  });
  assert.equal(exchanges.length, 2);
  assert.deepEqual(requests[2].body, requests[0].body);
  for (const [i, { exchange, events }] of exchanges.entries()) {
    assert.equal(exchange.stream_event_count, events.length);
    assert.equal(events.filter((e) => e.event !== "ping").length, direct[i].events.length);
    assert.equal(exchange.request.headers["x-api-key"] ?? exchange.request.headers.authorization, "REDACTED:abcd");
  }
});

test("@anthropic-ai/sdk non-streaming and a 529 error behave the same through the proxy", async () => {
  const { direct, proxied, exchanges } = await directAndProxied(async (baseURL) => {
    const client = new Anthropic({ apiKey: "sk-ant-test", baseURL, maxRetries: 0 });
    const message = await client.messages.create(PROMPT);
    const error = await client.messages.create(PROMPT, { headers: { "x-fake-scenario": "overloaded" } }).catch((e) =>
      e
    );
    return { message, error: { status: error.status, body: error.error } };
  });
  assert.deepEqual(proxied, direct);
  assert.equal(
    direct.message.content[0].type === "text" && direct.message.content[0].text,
    "The command printed ctvs-e2e. Done — ✓.",
  );
  assert.deepEqual(direct.error, {
    status: 529,
    body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
  });
  assert.deepEqual(exchanges.map((e) => e.exchange.response.status), [200, 529]);
  assert.equal(JSON.parse(exchanges[0].exchange.response.body).id, direct.message.id);
});

test("openai Responses and Chat Completions, streaming and not, are identical through the proxy", async () => {
  const { direct, proxied, exchanges } = await directAndProxied(async (baseURL) => {
    const client = new OpenAI({ apiKey: "sk-openai-test-wxyz", baseURL: `${baseURL}/v1`, maxRetries: 0 });
    const responseEvents = [];
    const stream = await client.responses.create({ model: "gpt-fake", input: "hi", stream: true });
    for await (const event of stream) responseEvents.push(event);
    const response = await client.responses.create({ model: "gpt-fake", input: "hi" });
    const chunks = [];
    const chat = await client.chat.completions.create({
      model: "gpt-fake",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of chat) chunks.push(chunk);
    const completion = await client.chat.completions.create({
      model: "gpt-fake",
      messages: [{ role: "user", content: "hi" }],
    });
    return { responseEvents, response, chunks, completion };
  });
  assert.deepEqual(proxied, direct);
  assert.equal(direct.responseEvents.at(-1)?.type, "response.completed");
  assert.deepEqual(direct.chunks.at(-1)?.usage, { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
  assert.equal(exchanges.length, 4);
  const [responses, , chat] = exchanges;
  assert.deepEqual(responses.events.map((e) => e.event), direct.responseEvents.map((e: Row) => e.type));
  assert.equal(chat.events.at(-1)?.data, "[DONE]");
  assert.ok(chat.events.every((e) => e.event === "message"));
  assert.equal(responses.exchange.request.headers.authorization, "REDACTED:wxyz");
});
