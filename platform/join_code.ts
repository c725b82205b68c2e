/**
 * Join codes: the short code an operator hands a new host so it can join a fleet (reference §10.2). Ten characters
 * of an alphabet without look-alikes (no 0, O, 1, I, L or U), about 49 bits: enough against guessing
 * at the rate limits Central and the rendezvous service apply, within the code's lifetime.
 *
 * A code is never stored. What travels from Central to the rendezvous service is its sha256 ({@linkcode
 * joinCodeHash}, as the original did); what each of them keeps is that hash keyed with a secret of its own
 * ({@linkcode keyedJoinCodeHash}: Central's JWT secret, the rendezvous service's registration token), so a copied
 * store file cannot be searched for the code offline without the secret as well.
 *
 * @module
 */
import { createHash, createHmac, randomBytes } from "node:crypto";

/** The characters of a join code. */
export const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

/** The length of a new code. */
export const JOIN_CODE_LENGTH = 10;

/** The lengths a code may have (the original allowed 6 to 32). */
export const JOIN_CODE_MIN_LENGTH = 6;
export const JOIN_CODE_MAX_LENGTH = 32;

/**
 * A new random join code.
 *
 * @param length How many characters (default 10).
 * @returns The code, in capitals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(newJoinCode(), /^[ABCDEFGHJKMNPQRSTVWXYZ2-9]{10}$/);
 * ```
 */
export function newJoinCode(length: number = JOIN_CODE_LENGTH): string {
  const n = JOIN_CODE_ALPHABET.length;
  // Bytes at or above the largest multiple of the alphabet's size are drawn again, so every character is as likely.
  const limit = 256 - (256 % n);
  let code = "";
  while (code.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && code.length < length) code += JOIN_CODE_ALPHABET[byte % n];
    }
  }
  return code;
}

/**
 * A code as typed by a person, in its one form: capitals, without the spaces and dashes people add to read it out.
 * Returns undefined when what is left is not a code (a character outside the alphabet, or a wrong length).
 *
 * @param typed What the person typed.
 * @returns The code, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(normalizeJoinCode("abcde-fghjk"), "ABCDEFGHJK");
 * assert.equal(normalizeJoinCode(" ABCDE FGHJK "), "ABCDEFGHJK");
 * assert.equal(normalizeJoinCode("ABCDEFGHJ0"), undefined);
 * assert.equal(normalizeJoinCode("ABC"), undefined);
 * ```
 */
export function normalizeJoinCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]+/g, "").toUpperCase();
  if (code.length < JOIN_CODE_MIN_LENGTH || code.length > JOIN_CODE_MAX_LENGTH) return undefined;
  for (const char of code) if (!JOIN_CODE_ALPHABET.includes(char)) return undefined;
  return code;
}

/**
 * The sha256 hex of a (normalized) code: what Central sends the rendezvous service as `join_code_hash`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(joinCodeHash("ABCDEFGHJK"), /^[0-9a-f]{64}$/);
 * ```
 */
export function joinCodeHash(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

/**
 * What a store keeps for a code: the HMAC-SHA256, keyed with `secret`, of its {@linkcode joinCodeHash}. The message
 * is prefixed with `ctvs-join-code:`, which no JWT signing input can start with, so a secret that also signs JWTs
 * never signs the same thing for both.
 *
 * @param secret The store's secret.
 * @param hash A {@linkcode joinCodeHash}.
 * @returns 64 hex characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const hash = joinCodeHash("ABCDEFGHJK");
 * assert.notEqual(keyedJoinCodeHash("secret-1", hash), keyedJoinCodeHash("secret-2", hash));
 * assert.equal(keyedJoinCodeHash("secret-1", hash), keyedJoinCodeHash("secret-1", hash));
 * ```
 */
export function keyedJoinCodeHash(secret: string, hash: string): string {
  return createHmac("sha256", secret).update(`ctvs-join-code:${hash}`).digest("hex");
}
