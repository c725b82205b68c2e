/**
 * The text served on `GET /` by the OTLP and proxy listeners, so a person who opens the port in a browser or with
 * curl learns what is listening there.
 */
import { VERSION } from "../platform/version.ts";

/** The banner, one trailing newline. */
export function banner(): string {
  return [
    "              _ _           _   _",
    "     ___ ___ | | | ___  ___| |_(_)_   ___   _ ___",
    "    / __/ _ \\| | |/ _ \\/ __| __| \\ \\ / / | | / __|",
    "   | (_| (_) | | |  __/ (__| |_| |\\ V /| |_| \\__ \\",
    "    \\___\\___/|_|_|\\___|\\___|\\__|_| \\_/  \\__,_|___/",
    "",
    `collectivus ${VERSION}: OTLP collector and pass-through LLM proxy`,
    "Records AI-agent and application telemetry into local JSONL files you can query.",
    "",
    "  $ npx collectivus",
    "",
  ].join("\n");
}
