/**
 * The page's calls to its server: every request carries the per-start token the page was opened with
 * (`?token=` in its URL); a failed call throws an Error with the server's message.
 *
 * @module
 */
/// <reference lib="dom" />

// `location` is missing outside a browser, where the doc examples of modules that import this one run.
const token = new URLSearchParams(globalThis.location?.search ?? "").get("token") ?? "";

/** Query parameters: empty, null and undefined values are left out. */
export type Params = Record<string, string | number | boolean | null | undefined>;

/** `path?params` with the empty ones left out. */
export function withParams(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** A URL the browser opens itself (a download): the token goes into it. */
export function withToken(path: string, params: Params = {}): string {
  return withParams(path, { ...params, token });
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = (body as { error?: string } | undefined)?.error ?? (text || response.statusText);
    throw new Error(message);
  }
  return body as T;
}

/** The event a read sends: it may have refreshed the cache, so the header looks at its state again. */
export const READ_EVENT = "ctvs-read";

/** GETs a JSON answer. */
export async function get<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const body = await answer<T>(await fetch(withParams(path, params), { headers: { "x-ctvs-token": token }, signal }));
  if (path !== "/api/status") dispatchEvent(new CustomEvent(READ_EVENT));
  return body;
}

/** POSTs a JSON body and reads a JSON answer. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: "POST",
      headers: { "x-ctvs-token": token, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
}

/** One page of rows as the server sends it. */
export interface PageOf<T> {
  rows: T[];
  offset: number;
  more: boolean;
}

// deno-lint-ignore no-explicit-any
export type Row = Record<string, any>;
