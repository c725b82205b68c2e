/**
 * The response body the client reads: a pull-based wrapper around the upstream body. Each pull reads one upstream
 * chunk, shows it to the exchange, and enqueues it, so nothing is read ahead of the client (backpressure reaches the
 * upstream) and a client that leaves cancels the upstream read. Never `tee()`: a tee reads the upstream without
 * bound for a slow client and keeps reading after it left.
 *
 * @module
 */
import { errorMessage } from "../../platform/runtime.ts";
import type { Exchange } from "./exchange.ts";
import type { UpstreamBody } from "./upstream/types.ts";

/**
 * The upstream `body` as the client's stream; `exchange` sees every chunk and is finished exactly once.
 * `clientGone` is the client's abort signal, which also ends the upstream read.
 */
export function relayStream(
  body: UpstreamBody,
  exchange: Exchange,
  clientGone: AbortSignal,
): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array | null;
      try {
        chunk = await body.read();
      } catch (err) {
        // The upstream failed mid-body (a reset), or the client left while this read waited (its signal dropped the
        // upstream read, or it cancelled). The client sees its stream break, as it would going direct.
        exchange.finish(cancelled || clientGone.aborted ? "client_aborted" : errorMessage(err));
        controller.error(err);
        return;
      }
      if (chunk === null) {
        exchange.finish();
        controller.close();
        return;
      }
      exchange.observe(chunk);
      controller.enqueue(chunk);
    },
    cancel() {
      // Only a client that stopped reading cancels this stream; request.signal alone cannot tell (Deno aborts it
      // after every normal completion too).
      cancelled = true;
      exchange.finish("client_aborted");
      body.cancel();
    },
  }, { highWaterMark: 0 });
}
