/**
 * The page's routes live in the URL's hash (`#/trace/<id>`), so the token in the query string stays put and the
 * back button works.
 *
 * @module
 */
/// <reference lib="dom" />
import { useEffect, useState } from "preact/hooks";

/** A route: its path segments and query parameters. */
export interface Route {
  parts: string[];
  params: URLSearchParams;
}

function current(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

/** The current route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** The hash of a route: `href("trace", id)` or `href("logs", null, { q })`. */
export function href(path: string | string[], params: Record<string, string | number | undefined> = {}): string {
  const parts = (Array.isArray(path) ? path : [path]).map(encodeURIComponent).join("/");
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const query = search.toString();
  return `#/${parts}${query ? `?${query}` : ""}`;
}

/** Goes to a route, replacing the current history entry (filters typed into a form). */
export function replaceRoute(hash: string): void {
  history.replaceState(null, "", hash);
  dispatchEvent(new HashChangeEvent("hashchange"));
}
