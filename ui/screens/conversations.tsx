/** @jsxImportSource preact */
/**
 * The conversations list: the most recently active first, with project (cwd and branch), client, models, turns,
 * tokens and cost, and for Gas City sessions the agent (template, rig, alias); searched by text (also inside messages
 * and the agent's names) and filtered by client, model, directory and time.
 *
 * @module
 */
/// <reference lib="dom" />
import { Choice, Field } from "../components/common.tsx";
import { PagedList, usePaged } from "../components/paged.tsx";
import { agent, cost, count, shortPath, time } from "../format.ts";
import { href } from "../route.ts";

const LIMIT = 50;

/** The screen. */
export function ConversationsScreen({ params }: { params: URLSearchParams }) {
  const paged = usePaged("/api/conversations", "conversations", params, LIMIT);
  const { query } = paged;
  // The agent column only when the page has agents (Gas City sessions): other lists keep their width.
  const agents = paged.data?.rows.some((c) => agent(c) !== null) ?? false;
  return (
    <PagedList
      empty="No conversations yet. They come from the proxy (ctvs attach points Claude Code at it; an SDK needs its base URL set to it) and from the transcripts ctvs import reads."
      title="Conversations"
      paged={paged}
      filters={
        <>
          <Field
            label="Search"
            name="q"
            value={query.q}
            placeholder="text, id, directory, branch, model, agent"
            width="18em"
          />
          <Choice
            label="Client"
            name="client"
            value={query.client}
            options={[["claude_code", "Claude Code"], ["codex", "Codex"], ["api", "API"]]}
          />
          <Field label="Model" name="model" value={query.model} />
          <Field label="Directory" name="cwd" value={query.cwd} />
          <Field label="From" name="from" value={query.from} placeholder="2025-03-01" width="8em" />
          <Field label="To" name="to" value={query.to} placeholder="2025-03-31" width="8em" />
        </>
      }
      rows={(page) => (
        <table class="grid clickable" data-testid="conversations">
          <thead>
            <tr>
              <th>Last active (UTC)</th>
              <th>Project</th>
              <th>Branch</th>
              <th>Client</th>
              {agents && <th title="Gas City: template · rig · alias">Agent</th>}
              <th>Model</th>
              <th class="num">Turns</th>
              <th class="num">Messages</th>
              <th class="num">Tokens</th>
              <th class="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((c) => (
              <tr
                key={`${c.origin}/${c.conversation_id}`}
                onClick={() => location.hash = href(["conversation", c.origin, c.conversation_id])}
              >
                <td>
                  <a href={href(["conversation", c.origin, c.conversation_id])}>{time(c.last_at)}</a>
                </td>
                <td title={c.cwd ?? ""}>{shortPath(c.cwd)}</td>
                <td>{c.git_branch ?? "—"}</td>
                <td>
                  {c.conversation_source ?? c.provider ?? "—"}
                  {c.origin === "transcripts" && (
                    <span class="muted imported" title="imported by ctvs import">· imported</span>
                  )}
                  {c.origin === "gascity" && (
                    <span class="muted imported" title={`a session of Gas City ${c.agent_city ?? ""}`}>
                      · Gas City
                    </span>
                  )}
                </td>
                {agents && (
                  <td data-testid="agent" title={agent(c) ? "template · rig · alias" : ""}>{agent(c) ?? "—"}</td>
                )}
                <td>{c.models ?? "—"}</td>
                <td class="num">{count(c.turns)}</td>
                <td class="num">{count(c.messages)}</td>
                <td class="num">{count(c.total_tokens)}</td>
                <td class="num" title={c.unpriced_turns ? `${c.unpriced_turns} turn(s) without a price` : ""}>
                  {cost(c.cost_usd)}
                  {c.unpriced_turns ? "*" : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    />
  );
}
