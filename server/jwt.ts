/**
 * Gateway identity tokens: HS256 JWTs with the fixed header `{"alg":"HS256","typ":"JWT"}` and exactly the claims
 * `{sub, iat, exp}` (reference §10.2), signed and checked with WebCrypto's HMAC.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";

/** The claims of a gateway JWT: the gateway id and the issue and expiry times in unix seconds. */
export interface JwtClaims {
  sub: string;
  iat: number;
  exp: number;
}

/** Why a token was refused; the code goes into the 401 body as `reason`. */
export type JwtErrorCode = "malformed" | "bad_signature" | "iat_in_future" | "expired";

/** A token that does not verify. */
export class JwtError extends Error {
  /** What is wrong with it. */
  readonly code: JwtErrorCode;

  constructor(code: JwtErrorCode, message: string) {
    super(message);
    this.name = "JwtError";
    this.code = code;
  }
}

/** How far the issuer's and the checker's clocks may disagree, in seconds (both ways). */
export const CLOCK_SKEW_SECONDS = 5;

const HEADER = base64url(new TextEncoder().encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const encoder = new TextEncoder();

/**
 * Signs and verifies gateway JWTs with one secret. The HMAC key is imported once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JwtIssuer } from "./jwt.ts";
 *
 * const issuer = new JwtIssuer("s".repeat(32));
 * const token = await issuer.sign({ sub: "gw-1", iat: 1_700_000_000, exp: 1_700_003_600 });
 * const claims = await issuer.verify(token, 1_700_000_100);
 * assert.equal(claims.sub, "gw-1");
 * await assert.rejects(issuer.verify(token, 1_700_003_606), { code: "expired" });
 * ```
 */
export class JwtIssuer {
  readonly #key: Promise<CryptoKey>;

  /** An issuer for `secret` (at least 32 characters, checked by the config validator). */
  constructor(secret: string) {
    this.#key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
  }

  /** The compact JWT for `claims`. */
  async sign(claims: JwtClaims): Promise<string> {
    const payload = base64url(encoder.encode(JSON.stringify({ sub: claims.sub, iat: claims.iat, exp: claims.exp })));
    const signingInput = `${HEADER}.${payload}`;
    return `${signingInput}.${base64url(await this.#mac(signingInput))}`;
  }

  /**
   * The claims of `token` if it is well formed, signed with this secret, issued no later than `now` plus the skew
   * and not expired by more than the skew. Throws a {@linkcode JwtError} otherwise. The signature is checked before
   * the claims are read, and compared in constant time.
   */
  async verify(token: string, now: number = nowSeconds()): Promise<JwtClaims> {
    const parts = token.split(".");
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
      throw new JwtError("malformed", "the token is not three base64url parts");
    }
    if (parts[0] !== HEADER) throw new JwtError("malformed", 'the header is not {"alg":"HS256","typ":"JWT"}');
    const expected = await this.#mac(`${parts[0]}.${parts[1]}`);
    const given = fromBase64url(parts[2]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new JwtError("bad_signature", "the signature does not match");
    }
    const claims = parseClaims(parts[1]);
    if (claims.iat > now + CLOCK_SKEW_SECONDS) throw new JwtError("iat_in_future", "the token is issued in the future");
    if (claims.exp <= now - CLOCK_SKEW_SECONDS) throw new JwtError("expired", "the token has expired");
    return claims;
  }

  async #mac(input: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign("HMAC", await this.#key, encoder.encode(input)));
  }
}

/**
 * The claims of `token` read without checking its signature: what a gateway learns about its own JWT (its id and
 * expiry). Throws a {@linkcode JwtError} `malformed` when they cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeJwtUnverified, JwtIssuer } from "./jwt.ts";
 * const token = await new JwtIssuer("s".repeat(32)).sign({ sub: "gw-1", iat: 1, exp: 2 });
 * assert.deepEqual(decodeJwtUnverified(token), { sub: "gw-1", iat: 1, exp: 2 });
 * ```
 */
export function decodeJwtUnverified(token: string): JwtClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed", "the token is not three base64url parts");
  return parseClaims(parts[1]);
}

/** The current time in unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function parseClaims(part: string): JwtClaims {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(part)));
  } catch {
    throw new JwtError("malformed", "the payload is not JSON");
  }
  const { sub, iat, exp } = (claims ?? {}) as Record<string, unknown>;
  if (
    typeof claims !== "object" || Array.isArray(claims) || typeof sub !== "string" || sub === "" ||
    !Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || Object.keys(claims as object).length !== 3
  ) {
    throw new JwtError("malformed", "the claims are not exactly {sub, iat, exp}");
  }
  return { sub, iat: iat as number, exp: exp as number };
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new JwtError("malformed", "a part is not base64url");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
