/**
 * `useLoad`: runs an async read when its inputs change and keeps the latest answer, its error and whether it is
 * loading; a newer read cancels an older one.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useState } from "preact/hooks";

/** The state of a read. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/** Runs `read` whenever `key` changes, and again after the header's Refresh. */
export function useLoad<T>(read: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const bump = () => setGeneration((g) => g + 1);
    addEventListener("ctvs-refreshed", bump);
    return () => removeEventListener("ctvs-refreshed", bump);
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    read(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error) =>
        !controller.signal.aborted &&
        setState({ data: undefined, error: String(error.message ?? error), loading: false }),
    );
    return () => controller.abort();
  }, [key, generation]);
  return state;
}
