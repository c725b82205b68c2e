/**
 * A Gas City recorded as the capture e2e test records one (tests/cli/gascity_test.ts): a real `ctvs` process attached
 * to a supervisor double (real sockets, real SSE) whose city runs two agents, a Claude Code mayor and a Codex polecat,
 * serving the transcripts the real CLIs wrote (tests/fixtures/transcripts/). Resolves once every line is recorded and
 * the collector has stopped, with the rows the capture made of them (to compare what a reader shows).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type GascitySession, gascitySessionRows } from "../../query/gascity/message_rows.ts";
import { lineKey } from "../../server/gascity/line_key.ts";
import { gascityHome } from "../cli/_gascity.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { ctvs, startCtvs } from "../helpers/child.ts";
import { CLAUDE_FILE, CODEX_FILE, lines } from "../query/transcript_rows/_recorded.ts";

/** The agents of the city, as the supervisor describes their sessions. */
export const AGENTS = {
  mayor: { id: "s-1", template: "mayor", rig: "rig-a", alias: "mayor", state: "active", provider: "claude" },
  polecat: { id: "s-2", template: "polecat", rig: "rig-b", alias: "p1", state: "active", provider: "codex" },
} as const;

const TRANSCRIPTS = { mayor: lines(CLAUDE_FILE), polecat: lines(CODEX_FILE) };

/** A recorded city: the config to read it with, and the capture's rows of each agent. */
export interface RecordedCity {
  config: string;
  rows: Record<keyof typeof AGENTS, Record<string, unknown>[]>;
  remove(): Promise<void>;
}

/** Records the city `alpha` (see the module doc). */
export async function recordCity(): Promise<RecordedCity> {
  const double = await SupervisorDouble.start({ keepaliveMs: 500, heartbeatMs: 1000 });
  const home = await gascityHome([{ name: "alpha", api_url: double.url }]);
  try {
    for (const agent of ["mayor", "polecat"] as const) double.addSession("alpha", AGENTS[agent], TRANSCRIPTS[agent]);
    const collector = startCtvs(["--config", home.config, "--pid-file", home.pidFile]);
    try {
      await collector.waitFor(/^Gas City capture of alpha/);
      const recorded = async () => {
        const status = await ctvs(["gascity", "status", "--config", home.config, "--format", "json"]);
        const sessions: { session_id: string; lines: number }[] = JSON.parse(status.stdout)[0]?.sessions ?? [];
        return (["mayor", "polecat"] as const).every((agent) =>
          sessions.find((s) => s.session_id === AGENTS[agent].id)?.lines === TRANSCRIPTS[agent].length
        );
      };
      for (const deadline = Date.now() + 30_000; !await recorded();) {
        assert.ok(Date.now() < deadline, `the city is not recorded in 30 s:\n${collector.transcript()}`);
        await new Promise((done) => setTimeout(done, 200));
      }
    } finally {
      collector.kill("SIGTERM");
      assert.equal((await collector.exited).code, 0, collector.transcript());
    }
  } catch (error) {
    await home.remove();
    throw error;
  } finally {
    await double.close();
  }
  const rowsOf = (agent: keyof typeof AGENTS) => {
    const a = AGENTS[agent];
    const { template, rig, alias, provider } = a;
    const session: GascitySession = { city: "alpha", sessionId: a.id, template, rig, alias, provider };
    const maker = gascitySessionRows(session, undefined);
    return TRANSCRIPTS[agent].flatMap((line) => maker.line(line, lineKey(line)));
  };
  return { config: home.config, rows: { mayor: rowsOf("mayor"), polecat: rowsOf("polecat") }, remove: home.remove };
}
