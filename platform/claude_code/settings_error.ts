/** Why a Claude Code settings file cannot be edited: `MALFORMED_JSON` or `NOT_AN_OBJECT`, with what to do next. */
export class SettingsError extends Error {
  readonly code: "MALFORMED_JSON" | "NOT_AN_OBJECT" | "MALFORMED_MARKER";
  constructor(code: SettingsError["code"], message: string) {
    super(message);
    this.name = "SettingsError";
    this.code = code;
  }
}
