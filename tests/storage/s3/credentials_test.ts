import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { credentialProvider, credentialSource, ECS_HOST } from "../../../storage/s3/credentials.ts";
import { tempDir } from "../../helpers/child.ts";

/** A fake container endpoint that records what it was asked. */
function ecsEndpoint(expiration: string) {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetchFn = (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization") });
    const body = { AccessKeyId: `AK${calls.length}`, SecretAccessKey: "SK", Token: "TOK", Expiration: expiration };
    return Promise.resolve(new Response(JSON.stringify(body)));
  };
  return { calls, fetchFn: fetchFn as typeof fetch };
}

test("credentialSource() prefers env keys, then the ECS endpoint, else none", () => {
  assert.equal(credentialSource({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s" }), "env");
  assert.equal(credentialSource({ AWS_ACCESS_KEY_ID: "a" }), undefined);
  assert.equal(credentialSource({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds" }), "ecs");
  assert.equal(credentialSource({}), undefined);
});

test("credentialProvider() returns env keys with the session token", async () => {
  const provider = credentialProvider({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" });
  assert.deepEqual(await provider(), { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" });
});

test("credentialProvider() fetches a relative ECS URI with the token, caches it, refreshes near expiry", async () => {
  const { calls, fetchFn } = ecsEndpoint("2026-05-12T12:00:00Z");
  let now = Date.parse("2026-05-12T11:00:00Z");
  const provider = credentialProvider({
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "secret-token",
  }, { fetchFn, now: () => now });
  const first = await provider();
  assert.deepEqual(first, {
    accessKeyId: "AK1",
    secretAccessKey: "SK",
    sessionToken: "TOK",
    expiration: new Date("2026-05-12T12:00:00Z"),
  });
  assert.equal(await provider(), first);
  now = Date.parse("2026-05-12T11:56:00Z");
  assert.equal((await provider()).accessKeyId, "AK2");
  assert.deepEqual(calls, [
    { url: `${ECS_HOST}/v2/credentials/abc`, authorization: "secret-token" },
    { url: `${ECS_HOST}/v2/credentials/abc`, authorization: "secret-token" },
  ]);
});

test("credentialProvider() reads the token file for a full URI", async () => {
  const tmp = await tempDir();
  try {
    const tokenFile = path.join(tmp.dir, "token");
    await writeFile(tokenFile, "from-file\n");
    const { calls, fetchFn } = ecsEndpoint("2099-01-01T00:00:00Z");
    const provider = credentialProvider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:51679/creds",
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    }, { fetchFn });
    assert.equal((await provider()).accessKeyId, "AK1");
    assert.deepEqual(calls, [{ url: "http://127.0.0.1:51679/creds", authorization: "from-file" }]);
  } finally {
    await tmp.remove();
  }
});

test("credentialProvider() without a source rejects with the pre-flight message", async () => {
  await assert.rejects(credentialProvider({})(), /no AWS credential source is available/);
});
