/**
 * Validation of the `server` block: the Central server of a fleet (role `"server"`).
 *
 * @module
 */
import { GATEWAY_ID_MAX_LENGTH, GATEWAY_ID_PATTERN, isValidGatewayId } from "../gateway_id.ts";
import {
  checkExactlyOne,
  checkHttpUrl,
  checkIntegerBetween,
  checkListen,
  checkNonEmptyString,
  checkObject,
  checkPositiveInteger,
  child,
  fail,
  has,
  type JsonObject,
  required,
} from "./_checks.ts";

/** The shortest accepted JWT signing secret and admin token. */
export const SECRET_MIN_LENGTH = 32;

const POINTER = "/server";
const SERVER_KEYS = [
  "control_plane_listen",
  "public_url",
  "identity_issuer",
  "data_dir",
  "sink_dir",
  "ingest",
  "admin",
  "enrollment",
  "rendezvous",
] as const;
const ISSUER_KEYS = ["secret", "secret_env", "jwt_ttl_seconds", "bootstrap_ttl_seconds", "bootstrap_store_path"];
const INGEST_KEYS = ["max_pending_rows", "high_water_pct", "retry_after_seconds", "max_bytes_per_second"];
const ADMIN_KEYS = ["token", "token_env"];
const ENROLLMENT_KEYS = ["gateway_prefix"];
const RENDEZVOUS_KEYS = ["url", "url_env", "registration_token", "registration_token_env"];

/** Checks the `server` block at `/server`, its sub-blocks and their cross-rules. */
export function validateServer(value: unknown): void {
  const server = checkObject(value, POINTER, SERVER_KEYS);
  checkListen(required(server, "control_plane_listen", POINTER), child(POINTER, "control_plane_listen"));
  if (has(server, "public_url")) checkHttpUrl(server.public_url, child(POINTER, "public_url"));
  validateIdentityIssuer(required(server, "identity_issuer", POINTER));
  if (has(server, "data_dir")) checkNonEmptyString(server.data_dir, child(POINTER, "data_dir"));
  if (has(server, "sink_dir")) checkNonEmptyString(server.sink_dir, child(POINTER, "sink_dir"));
  if (has(server, "ingest")) validateIngest(server.ingest);
  if (has(server, "admin")) {
    validateAdmin(server.admin);
    if (!has(server, "public_url")) {
      fail(child(POINTER, "public_url"), "public_url is required when server.admin is configured");
    }
  }
  if (has(server, "enrollment")) validateEnrollment(server.enrollment);
  if (has(server, "rendezvous")) validateRendezvous(server.rendezvous);
}

function validateIdentityIssuer(value: unknown): void {
  const pointer = child(POINTER, "identity_issuer");
  const issuer = checkObject(value, pointer, ISSUER_KEYS);
  checkExactlyOne(issuer, pointer, "secret", "secret_env");
  if (has(issuer, "secret")) checkSecret(issuer, "secret", pointer);
  if (has(issuer, "secret_env")) checkNonEmptyString(issuer.secret_env, child(pointer, "secret_env"));
  for (const key of ["jwt_ttl_seconds", "bootstrap_ttl_seconds"]) {
    if (has(issuer, key)) checkPositiveInteger(issuer[key], child(pointer, key));
  }
  if (has(issuer, "bootstrap_store_path")) {
    checkNonEmptyString(issuer.bootstrap_store_path, child(pointer, "bootstrap_store_path"));
  }
}

function validateIngest(value: unknown): void {
  const pointer = child(POINTER, "ingest");
  const ingest = checkObject(value, pointer, INGEST_KEYS);
  if (has(ingest, "max_pending_rows")) {
    checkPositiveInteger(ingest.max_pending_rows, child(pointer, "max_pending_rows"));
  }
  if (has(ingest, "high_water_pct")) {
    checkIntegerBetween(ingest.high_water_pct, child(pointer, "high_water_pct"), 1, 100);
  }
  for (const key of ["retry_after_seconds", "max_bytes_per_second"]) {
    if (has(ingest, key)) checkPositiveInteger(ingest[key], child(pointer, key));
  }
}

function validateAdmin(value: unknown): void {
  const pointer = child(POINTER, "admin");
  const admin = checkObject(value, pointer, ADMIN_KEYS);
  checkExactlyOne(admin, pointer, "token", "token_env");
  if (has(admin, "token")) checkSecret(admin, "token", pointer);
  if (has(admin, "token_env")) checkNonEmptyString(admin.token_env, child(pointer, "token_env"));
}

function validateEnrollment(value: unknown): void {
  const pointer = child(POINTER, "enrollment");
  const enrollment = checkObject(value, pointer, ENROLLMENT_KEYS);
  if (has(enrollment, "gateway_prefix") && !isValidGatewayId(enrollment.gateway_prefix)) {
    fail(
      child(pointer, "gateway_prefix"),
      `must match ${GATEWAY_ID_PATTERN} and be 1..${GATEWAY_ID_MAX_LENGTH} characters`,
    );
  }
}

function validateRendezvous(value: unknown): void {
  const pointer = child(POINTER, "rendezvous");
  const rendezvous = checkObject(value, pointer, RENDEZVOUS_KEYS);
  checkExactlyOne(rendezvous, pointer, "url", "url_env");
  if (has(rendezvous, "url")) checkHttpUrl(rendezvous.url, child(pointer, "url"));
  if (has(rendezvous, "url_env")) checkNonEmptyString(rendezvous.url_env, child(pointer, "url_env"));
  checkExactlyOne(rendezvous, pointer, "registration_token", "registration_token_env");
  for (const key of ["registration_token", "registration_token_env"]) {
    if (has(rendezvous, key)) checkNonEmptyString(rendezvous[key], child(pointer, key));
  }
}

/** An inline secret: a non-empty string of at least {@linkcode SECRET_MIN_LENGTH} characters. */
function checkSecret(object: JsonObject, key: string, pointer: string): void {
  const secret = checkNonEmptyString(object[key], child(pointer, key));
  if (secret.length < SECRET_MIN_LENGTH) fail(child(pointer, key), `must be at least ${SECRET_MIN_LENGTH} characters`);
}
