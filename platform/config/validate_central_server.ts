/**
 * Validation of the `central_server` block: how a gateway (role `"gateway"`) reaches its Central server.
 *
 * @module
 */
import { checkIntegerBetween, checkNonEmptyString, checkObject, checkUrl, child, has, required } from "./_checks.ts";

const POINTER = "/central_server";
const CENTRAL_SERVER_KEYS = ["url", "identity", "poll_interval_seconds", "outbox_dir"] as const;
const IDENTITY_KEYS = ["bootstrap_token", "persisted_path"] as const;

/** Checks the `central_server` block at `/central_server`. `identity` is required but may be `{}`. */
export function validateCentralServer(value: unknown): void {
  const central = checkObject(value, POINTER, CENTRAL_SERVER_KEYS);
  checkUrl(required(central, "url", POINTER), child(POINTER, "url"));
  const identityPointer = child(POINTER, "identity");
  const identity = checkObject(required(central, "identity", POINTER), identityPointer, IDENTITY_KEYS);
  for (const key of IDENTITY_KEYS) {
    if (has(identity, key)) checkNonEmptyString(identity[key], child(identityPointer, key));
  }
  if (has(central, "poll_interval_seconds")) {
    checkIntegerBetween(central.poll_interval_seconds, child(POINTER, "poll_interval_seconds"), 5, 3600);
  }
  if (has(central, "outbox_dir")) checkNonEmptyString(central.outbox_dir, child(POINTER, "outbox_dir"));
}
