import assert from "node:assert/strict";
import { test } from "node:test";
import type { DatasetFreshness, UiStatus } from "../../server/ui/backend.ts";
import { freshnessLine } from "../../ui/freshness_text.ts";

function dataset(name: string, fields: Partial<DatasetFreshness> = {}): DatasetFreshness {
  return {
    name,
    partitions: 1,
    fresh: 1,
    stale: 0,
    missing: 0,
    refreshed_at: "2025-03-01T10:00:00.000Z",
    stale_since: null,
    ...fields,
  };
}

function status(datasets: DatasetFreshness[], refresh: UiStatus["refresh"] = "auto"): UiStatus {
  return {
    datasets,
    screens: { conversations: ["proxy_messages", "llm_requests"], trace: ["traces", "logs"], metrics: ["metrics"] },
    refresh,
    root: "/data",
    config: "/c.json",
  };
}

test("freshnessLine() speaks of the screen's datasets only: never-read traces leave a conversation fresh", () => {
  const s = status([
    dataset("proxy_messages", { refreshed_at: "2025-03-01T10:00:00.000Z" }),
    dataset("llm_requests", { refreshed_at: "2025-03-01T10:00:02.000Z" }),
    dataset("traces", { fresh: 0, missing: 1, refreshed_at: null }),
  ]);
  const line = freshnessLine(s, "conversations");
  assert.deepEqual([line.text, line.behind], ["cache: fresh · refreshed 2025-03-01 10:00:02 UTC", false]);
  // The tooltip still tells of every dataset.
  assert.match(line.detail, /^\/data\nproxy_messages: fresh \(refreshed 2025-03-01 10:00:00 UTC\)\n/);
  assert.match(line.detail, /\ntraces: 1 day file not read yet\n/);
});

test("freshnessLine() names each dataset that is behind, and how", () => {
  const s = status([
    dataset("traces", { partitions: 3, fresh: 1, stale: 2, stale_since: "2025-03-01T09:00:00.000Z" }),
    dataset("logs", { fresh: 0, missing: 1, refreshed_at: null }),
  ], "never");
  const line = freshnessLine(s, "trace");
  assert.equal(
    line.text,
    "cache: traces behind (2 day files with new records since 2025-03-01 09:00:00 UTC); logs behind (1 day file not read yet)",
  );
  assert.equal(line.behind, true);
  assert.match(line.detail, /--refresh never/);
});

test("freshnessLine() over a screen with nothing recorded, and over a screen the status does not name", () => {
  const s = status([dataset("metrics", { partitions: 0, fresh: 0, refreshed_at: null }), dataset("logs")]);
  assert.equal(freshnessLine(s, "metrics").text, "cache: nothing recorded yet");
  assert.equal(freshnessLine(s, "sql").text, "cache: fresh · refreshed 2025-03-01 10:00:00 UTC");
});
