/** @jsxImportSource preact */
/**
 * The `ctvs ui` page: a header with the screens and the cache's freshness, and the screen the URL's hash names.
 *
 * @module
 */
/// <reference lib="dom" />
import { render } from "preact";
import { Freshness } from "./components/freshness.tsx";
import { href, useRoute } from "./route.ts";
import { ConversationScreen } from "./screens/conversation.tsx";
import { ConversationsScreen } from "./screens/conversations.tsx";
import { ExchangeScreen } from "./screens/exchange.tsx";
import { LogsScreen } from "./screens/logs.tsx";
import { MetricsScreen } from "./screens/metrics.tsx";
import { SqlScreen } from "./screens/sql.tsx";
import { TraceScreen } from "./screens/trace.tsx";
import { TracesScreen } from "./screens/traces.tsx";
import { UsageScreen } from "./screens/usage.tsx";

const TABS = [
  ["conversations", "Conversations"],
  ["usage", "Usage & cost"],
  ["traces", "Traces"],
  ["logs", "Logs"],
  ["metrics", "Metrics"],
  ["sql", "SQL"],
] as const;

/** Which tab a screen belongs to. */
const TAB_OF: Record<string, string> = { conversation: "conversations", exchange: "conversations", trace: "traces" };

function App() {
  const route = useRoute();
  const [screen = "conversations", ...rest] = route.parts;
  const tab = TAB_OF[screen] ?? screen;
  return (
    <>
      <header>
        <a class="brand" href={href("conversations")}>ctvs</a>
        <nav>
          {TABS.map(([name, label]) => <a key={name} href={href(name)} class={tab === name ? "active" : ""}>{label}
          </a>)}
        </nav>
        <Freshness screen={screen} />
      </header>
      <main>{page(screen, rest, route.params)}</main>
    </>
  );
}

function page(screen: string, rest: string[], params: URLSearchParams) {
  switch (screen) {
    case "conversations":
      return <ConversationsScreen params={params} />;
    case "conversation":
      return <ConversationScreen key={`${rest[0]}/${rest[1]}`} origin={rest[0]} id={rest[1]} />;
    case "exchange":
      return <ExchangeScreen gateway={rest[0]} date={rest[1]} id={rest[2]} />;
    case "usage":
      return <UsageScreen params={params} />;
    case "traces":
      return <TracesScreen params={params} />;
    case "trace":
      return <TraceScreen key={rest[0]} id={rest[0]} />;
    case "logs":
      return <LogsScreen params={params} />;
    case "metrics":
      return <MetricsScreen params={params} />;
    case "sql":
      return <SqlScreen />;
    default:
      return <div class="error">No such screen: {screen}</div>;
  }
}

render(<App />, document.getElementById("app")!);
