/** @jsxImportSource preact */
/**
 * The cache's state in the header, for the datasets of the screen in view ({@link freshnessLine}), and a Refresh
 * button. Polled every 15 seconds, after the reads of a screen, and after a refresh.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useState } from "preact/hooks";
import type { UiStatus } from "../../server/ui/backend.ts";
import { get, post, READ_EVENT } from "../api.ts";
import { freshnessLine } from "../freshness_text.ts";

/** What `/api/status` answers: the server's own type (a type import, erased from the bundle). */
type Status = UiStatus;

/** The freshness line. */
export function Freshness({ screen }: { screen: string }) {
  const [status, setStatus] = useState<Status | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const load = () =>
      get<Status>("/api/status").then((s) => {
        setStatus(s);
        setError(undefined);
      }, (e) => setError(e.message));
    load();
    const timer = setInterval(load, 15_000);
    // After a read (which may have refreshed), once the burst of reads of a screen is over.
    let pending: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(pending);
      pending = setTimeout(load, 300);
    };
    addEventListener(READ_EVENT, later);
    return () => {
      clearInterval(timer);
      clearTimeout(pending);
      removeEventListener(READ_EVENT, later);
    };
  }, []);
  if (error) return <div class="freshness stale" title={error}>cache: {error}</div>;
  if (!status) return <div class="freshness">cache: …</div>;
  const line = freshnessLine(status, screen);
  const refresh = async () => {
    setBusy(true);
    try {
      setStatus(await post<Status>("/api/refresh", {}));
      setError(undefined);
      dispatchEvent(new CustomEvent("ctvs-refreshed"));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={`freshness ${line.behind ? "stale" : "fresh"}`} title={line.detail}>
      <span data-testid="freshness">{line.text}</span>
      <button type="button" onClick={refresh} disabled={busy}>{busy ? "Refreshing…" : "Refresh"}</button>
    </div>
  );
}
