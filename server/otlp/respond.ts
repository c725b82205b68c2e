/**
 * Every answer the receiver gives, in the request's encoding as OTLP/HTTP requires: an `Export*ServiceResponse`
 * on success, a `google.rpc.Status` on failure (protobuf for a protobuf request, JSON otherwise).
 *
 * @module
 */
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { StatusSchema } from "./gen/google/rpc/status_pb.ts";
import { CONTENT_TYPE, type Encoding } from "./media.ts";
import { OTLP_ERROR_STATUS, type OtlpError, RETRY_AFTER_SECONDS } from "./otlp_error.ts";
import type { ResponseMessage } from "./signals.ts";

/** A 200 carrying `message` in `encoding`. */
export function successResponse({ schema, message }: ResponseMessage, encoding: Encoding): Response {
  const body = encoding === "protobuf" ? toBinary(schema, message) : toJsonString(schema, message);
  return new Response(body as BodyInit, { status: 200, headers: { "content-type": CONTENT_TYPE[encoding] } });
}

/**
 * The answer to a failed request: its status from the error table, a `Status{code, message}` body in `encoding`
 * (JSON when the request's encoding is unknown), `Allow` on a 405 and `Retry-After` on a 503.
 */
export function errorResponse(error: OtlpError, encoding: Encoding | undefined): Response {
  const { status, code } = OTLP_ERROR_STATUS[error.kind];
  const message = create(StatusSchema, { code, message: error.message });
  const body = encoding === "protobuf" ? toBinary(StatusSchema, message) : toJsonString(StatusSchema, message);
  const headers: Record<string, string> = { "content-type": CONTENT_TYPE[encoding ?? "json"] };
  if (error.kind === "method_not_allowed") headers.allow = "POST";
  if (error.kind === "unavailable") headers["retry-after"] = String(RETRY_AFTER_SECONDS);
  return new Response(body as BodyInit, { status, headers });
}
