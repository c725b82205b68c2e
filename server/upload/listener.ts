/**
 * The uploader as a collector listener: started after the proxy, it schedules ticks (catch-up now, then daily)
 * and prints `Uploader scheduled for HH:MM UTC, target s3://<bucket>/<prefix>`.
 *
 * @module
 */
import process from "node:process";
import type { Config } from "../../platform/config/types.ts";
import type { ParquetWriter } from "../../storage/upload/run_uploads.ts";
import type { Listener, ListenerContext, ListenerFactory } from "../listener.ts";
import { UploadScheduler } from "./scheduler.ts";
import { createUploader } from "./uploader.ts";

/**
 * The uploader listener's factory (built when the config has an `upload` block), writing days with the writer
 * `writerFor` gives for the running config. `query` is among its keys: the query cache derives the proxy days.
 */
export function uploadListenerFactory(writerFor: (config: Config) => ParquetWriter): ListenerFactory {
  return {
    name: "upload",
    keys: ["upload", "sink", "gateway_id", "query", "server"],
    create(context: ListenerContext): Listener | undefined {
      if (!context.config.upload) return undefined;
      return uploadListener(context, writerFor);
    },
  };
}

function uploadListener(context: ListenerContext, writerFor: (config: Config) => ParquetWriter): Listener {
  let scheduler: UploadScheduler | undefined;
  return {
    start() {
      const uploader = createUploader(context.config, process.env, writerFor(context.config));
      scheduler = new UploadScheduler({
        time: uploader.settings.time,
        log: context.log,
        tick: async () => {
          const result = await uploader.tick({
            log: context.log,
            stopped: () => scheduler?.stopped ?? false,
            onJob: (_job, _index, _total, outcome) => {
              if (outcome?.kind !== "uploaded") return;
              const target = `s3://${uploader.settings.bucket}/${outcome.key}`;
              context.log(`[collectivus] uploaded ${target} (${outcome.rows} rows, ${outcome.bytes} bytes)`);
            },
          });
          if (result.jobs > 0) {
            context.log(
              `[collectivus] upload tick: ${result.uploaded} uploaded, ${result.skipped} skipped, ` +
                `${result.failed} failed${result.retry ? "; next try in 15 min" : ""}`,
            );
          }
          return result;
        },
      });
      scheduler.start();
      return Promise.resolve(`Uploader scheduled for ${uploader.settings.time} UTC, target ${uploader.target}`);
    },
    async stop() {
      await scheduler?.stop();
    },
    abort() {
      // The tick in flight is left to the process exit: an unfinished multipart upload never becomes an object.
    },
  };
}
