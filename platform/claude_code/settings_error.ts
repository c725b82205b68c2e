/**
 * Why a Claude Code settings file or a Codex config cannot be edited, with what to do next: `MALFORMED_JSON`,
 * `NOT_AN_OBJECT`, `MALFORMED_TOML` (the file is broken), `MALFORMED_MARKER` (a managed block lost its end) or
 * `UNSAFE_EDIT` (the edit would break the file or change other settings, so nothing was written).
 */
export class SettingsError extends Error {
  readonly code: "MALFORMED_JSON" | "NOT_AN_OBJECT" | "MALFORMED_MARKER" | "MALFORMED_TOML" | "UNSAFE_EDIT";
  constructor(code: SettingsError["code"], message: string) {
    super(message);
    this.name = "SettingsError";
    this.code = code;
  }
}
