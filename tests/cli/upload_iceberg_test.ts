import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ICEBERG_UNSUPPORTED } from "../../storage/upload/upload_settings.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";

// Credentials are present, so the refusal is the Iceberg one; the endpoint is never contacted.
const ENV = { AWS_ACCESS_KEY_ID: "key", AWS_SECRET_ACCESS_KEY: "secret" };

test("upload.iceberg: the daemon, ctvs upload and --archive refuse it at start; other commands still run", async () => {
  const tmp = await tempDir();
  try {
    const config = path.join(tmp.dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        sink: { type: "file", dir: path.join(tmp.dir, "data") },
        upload: { bucket: "b", endpoint: "http://127.0.0.1:9", iceberg: {} },
      }),
    );
    const daemon = startCtvs(["--config", config, "--pid-file", path.join(tmp.dir, "pid")], { env: ENV });
    const guard = setTimeout(() => daemon.kill("SIGKILL"), 20_000);
    const { code } = await daemon.exited;
    clearTimeout(guard);
    assert.equal(code, 1, daemon.transcript());
    assert.deepEqual(daemon.stderr.filter(Boolean), [`config error: ${ICEBERG_UNSUPPORTED}`]);

    const upload = await ctvs(["upload", "--now", "--config", config], { env: ENV });
    assert.deepEqual([upload.code, upload.stdout, upload.stderr], [1, "", `config error: ${ICEBERG_UNSUPPORTED}`]);

    const archive = await ctvs(["query", "logs", "--archive", "--config", config], { env: ENV });
    assert.deepEqual([archive.code, archive.stderr], [1, `error: --archive: ${ICEBERG_UNSUPPORTED}`]);

    const local = await ctvs(["query", "logs", "--config", config, "--format", "json"], { env: ENV });
    assert.deepEqual([local.code, local.stdout, local.stderr], [0, "[\n]", ""]);
  } finally {
    await tmp.remove();
  }
});
