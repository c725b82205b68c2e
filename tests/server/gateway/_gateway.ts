/**
 * Gateway parts against an in-memory Central: a fetch that calls the control plane's app, and can be told to fail.
 *
 * @module
 */
import type { TestCentral } from "../central/_central.ts";

/** A fetch into `central`'s app that counts requests and lets a test answer some of them itself. */
export function centralFetch(central: TestCentral) {
  const requests: { method: string; path: string; headers: Headers }[] = [];
  let intercept: ((request: Request) => Response | undefined | Promise<Response | undefined>) | undefined;
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(String(input), init);
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname, headers: request.headers });
    const answer = await intercept?.(request.clone());
    if (answer) return answer;
    return await central.app.request(request);
  };
  return {
    fetch: fetchFn,
    requests,
    /** Answers requests with `fn` (undefined passes them to Central); `undefined` stops intercepting. */
    intercept(fn: typeof intercept) {
      intercept = fn;
    },
  };
}
