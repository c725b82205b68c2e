/**
 * The receiver's one error type and its one table: every way a request can fail maps to an HTTP status, a
 * `google.rpc.Code` for the `Status` body, and whether the OTLP client should retry. The kind is chosen where the
 * error is created (the decoder knows the data is bad, the body reader knows it is too large).
 *
 * @module
 */
import { BodyError } from "../read_body.ts";

/** Why a request failed. */
export type OtlpErrorKind =
  | "not_found"
  | "method_not_allowed"
  | "unsupported_media_type"
  | "too_large"
  | "bad_data"
  | "unavailable"
  | "internal";

/** What a kind of failure answers: HTTP status, `google.rpc.Code`, and whether the OTLP spec lets a client retry. */
export interface OtlpErrorStatus {
  status: 400 | 404 | 405 | 413 | 415 | 500 | 503;
  code: number;
  retryable: boolean;
}

/**
 * The error -> status table. Only 429, 502, 503 and 504 are retryable in OTLP/HTTP, so a failed write answers 503
 * (the client keeps the data and sends it again) while bad data answers 400 (sending it again cannot help).
 */
export const OTLP_ERROR_STATUS: Readonly<Record<OtlpErrorKind, OtlpErrorStatus>> = {
  // google.rpc.Code: 3 INVALID_ARGUMENT, 5 NOT_FOUND, 8 RESOURCE_EXHAUSTED, 12 UNIMPLEMENTED, 13 INTERNAL,
  // 14 UNAVAILABLE.
  not_found: { status: 404, code: 5, retryable: false },
  method_not_allowed: { status: 405, code: 12, retryable: false },
  unsupported_media_type: { status: 415, code: 3, retryable: false },
  too_large: { status: 413, code: 8, retryable: false },
  bad_data: { status: 400, code: 3, retryable: false },
  unavailable: { status: 503, code: 14, retryable: true },
  internal: { status: 500, code: 13, retryable: false },
};

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A failed OTLP request: its kind decides the answer, its message is the `Status.message` the client sees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OtlpError } from "./otlp_error.ts";
 *
 * const error = new OtlpError("too_large", "Request body is larger than 20971520 bytes");
 * assert.equal(error.status, 413);
 * assert.equal(error.code, 8);
 * ```
 */
export class OtlpError extends Error {
  /** Why it failed. */
  readonly kind: OtlpErrorKind;

  /** An error of `kind` whose `message` is shown to the client. */
  constructor(kind: OtlpErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OtlpError";
    this.kind = kind;
  }

  /** The HTTP status. */
  get status(): OtlpErrorStatus["status"] {
    return OTLP_ERROR_STATUS[this.kind].status;
  }

  /** The `google.rpc.Code` of the `Status` body. */
  get code(): number {
    return OTLP_ERROR_STATUS[this.kind].code;
  }
}

/** Shorthand for the most common failure: the body is not valid OTLP. */
export function badData(message: string, cause?: unknown): OtlpError {
  return new OtlpError("bad_data", message, cause === undefined ? undefined : { cause });
}

/**
 * What the receiver answers for a body the reader refused: a 413 naming the setting that sets the limit, a 415, or
 * bad data. Anything else is returned as it is.
 */
export function fromBodyError(error: unknown): unknown {
  if (!(error instanceof BodyError)) return error;
  if (error.kind === "too_large") return new OtlpError("too_large", `${error.message} (otel.max_body_bytes)`);
  if (error.kind === "unsupported_coding") return new OtlpError("unsupported_media_type", error.message);
  return badData(error.message, error.cause);
}
