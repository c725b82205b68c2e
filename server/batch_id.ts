/**
 * How a gateway names the batch it ships, so that Central writes a batch sent twice only once (reference §10.3): the
 * shipper sends the outbox batch's id in this header, Central's ingest checks it against this pattern.
 *
 * @module
 */

/** The header naming a batch. */
export const BATCH_ID_HEADER = "x-ctvs-batch-id";

/**
 * What a batch id may be: what an outbox batch id is made of (`storage/outbox/batch_name.ts`), at most 128 characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(BATCH_ID.test("2025-06-01T10-20-30-456Z-12-1-a1b2c3"), true);
 * assert.equal(BATCH_ID.test("../etc"), false);
 * ```
 */
export const BATCH_ID = /^[A-Za-z0-9._-]{1,128}$/;
