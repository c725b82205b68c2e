import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOCK_SKEW_SECONDS, decodeJwtUnverified, JwtIssuer } from "../../server/jwt.ts";

const issuer = new JwtIssuer("k".repeat(32));
const NOW = 1_750_000_000;

test("JwtIssuer signs the fixed header and exactly {sub, iat, exp}", async () => {
  const token = await issuer.sign({ sub: "gw-1", iat: NOW, exp: NOW + 60 });
  const [header, payload] = token.split(".");
  assert.equal(atob(header), '{"alg":"HS256","typ":"JWT"}');
  assert.deepEqual(JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/"))), {
    sub: "gw-1",
    iat: NOW,
    exp: NOW + 60,
  });
  assert.deepEqual(await issuer.verify(token, NOW), { sub: "gw-1", iat: NOW, exp: NOW + 60 });
  assert.deepEqual(decodeJwtUnverified(token), { sub: "gw-1", iat: NOW, exp: NOW + 60 });
});

test("JwtIssuer.verify() allows 5 s of clock skew both ways, not more", async () => {
  const token = await issuer.sign({ sub: "gw", iat: NOW, exp: NOW + 60 });
  await issuer.verify(token, NOW - CLOCK_SKEW_SECONDS);
  await assert.rejects(issuer.verify(token, NOW - CLOCK_SKEW_SECONDS - 1), { code: "iat_in_future" });
  await issuer.verify(token, NOW + 60 + CLOCK_SKEW_SECONDS - 1);
  await assert.rejects(issuer.verify(token, NOW + 60 + CLOCK_SKEW_SECONDS), { code: "expired" });
});

test("JwtIssuer.verify() refuses a forged signature, another secret, and malformed tokens", async () => {
  const token = await issuer.sign({ sub: "gw", iat: NOW, exp: NOW + 60 });
  const other = await new JwtIssuer("o".repeat(32)).sign({ sub: "gw", iat: NOW, exp: NOW + 60 });
  await assert.rejects(issuer.verify(other, NOW), { code: "bad_signature" });
  // Same signature, payload changed to another gateway.
  const [h, , s] = token.split(".");
  const forged = `${h}.${btoa('{"sub":"admin","iat":1750000000,"exp":1750000060}').replace(/=+$/, "")}.${s}`;
  await assert.rejects(issuer.verify(forged, NOW), { code: "bad_signature" });
  // A truncated signature is a mismatch too (compared in constant time only at equal length).
  await assert.rejects(issuer.verify(token.slice(0, -4), NOW), { code: "bad_signature" });
  for (const bad of ["", "a.b", "a.b.c.d", `${h}.!!.${s}`]) {
    await assert.rejects(issuer.verify(bad, NOW), { code: "malformed" }, bad);
  }
  // alg "none" and other headers are refused before any signature check.
  const none = `${btoa('{"alg":"none","typ":"JWT"}').replace(/=+$/, "")}.${token.split(".")[1]}.`;
  await assert.rejects(issuer.verify(none, NOW), { code: "malformed" });
});

test("JwtIssuer.verify() refuses extra or missing claims even when signed", async () => {
  const extra = await signRaw({ sub: "gw", iat: NOW, exp: NOW + 60, admin: true });
  await assert.rejects(issuer.verify(extra, NOW), { code: "malformed" });
  const missing = await signRaw({ sub: "gw", iat: NOW });
  await assert.rejects(issuer.verify(missing, NOW), { code: "malformed" });
});

/** A token with any payload, correctly signed with the test secret. */
async function signRaw(payload: unknown): Promise<string> {
  const enc = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const input = `${enc('{"alg":"HS256","typ":"JWT"}')}.${enc(JSON.stringify(payload))}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("k".repeat(32)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  return `${input}.${enc(String.fromCharCode(...mac))}`;
}
