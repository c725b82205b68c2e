/**
 * `ctvs --env-file`: the runner sets the file's variables before it reads the config, so a daemon gets its AWS keys
 * and `*_env` secrets from it; the upload pre-flight's refusal says where they go.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { credentialsHint } from "../../cli/run.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";

/** Env for a child without any AWS credential source, HOME in `home`. */
function noAws(home: string): Record<string, string> {
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
  };
}

async function uploadConfig(dir: string): Promise<string> {
  const file = path.join(dir, "config.json");
  await fs.writeFile(
    file,
    JSON.stringify({
      version: 1,
      gateway_id: "gw",
      otel: { listen: "127.0.0.1:0" },
      sink: { type: "file", dir: path.join(dir, "data") },
      // An endpoint nothing listens on: the test never reaches an upload tick.
      upload: { bucket: "b", endpoint: "http://127.0.0.1:9", region: "us-east-1", time: "03:30" },
    }),
  );
  return file;
}

test("without credentials, the refusal adds where a daemon's keys go; with --env-file holding them, it starts", async () => {
  const tmp = await tempDir();
  try {
    const config = await uploadConfig(tmp.dir);
    const env = noAws(tmp.dir);
    const refused = await ctvs(["--config", config, "--pid-file", path.join(tmp.dir, "pid")], { env });
    assert.equal(refused.code, 1);
    const hint = credentialsHint(undefined).replace(path.join(process.env.HOME!, ".hyp"), path.join(tmp.dir, ".hyp"));
    assert.deepEqual(refused.stderr.split("\n"), [
      "config error: upload.bucket is set but no AWS credential source is available; " +
      "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run with an ECS task role.",
      hint,
    ]);
    assert.match(
      hint,
      new RegExp(`${tmp.dir}/\\.hyp/collectivus\\.env \\(chmod 600\\) and run \`ctvs install\` again`),
    );

    const envFile = path.join(tmp.dir, "daemon.env");
    await fs.writeFile(envFile, "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY='secret'\n", { mode: 0o600 });
    const child = startCtvs(["--config", config, "--env-file", envFile, "--pid-file", path.join(tmp.dir, "pid")], {
      env,
    });
    await child.waitFor(/^Uploader scheduled for 03:30 UTC, target s3:\/\/b\/collectivus$/, 30_000);
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0, child.transcript());
    assert.deepEqual(child.stderr.filter((line) => /warning|error/.test(line)), []);
  } finally {
    await tmp.remove();
  }
});

test("--env-file: variables the config names come from it, a readable-by-others file is warned about, a bad one fails", async () => {
  const tmp = await tempDir();
  try {
    const envFile = path.join(tmp.dir, "vars.env");
    const config = { version: 1, otel: { listen: "127.0.0.1:4318" }, sink: { type: "file", dir: tmp.dir } };
    await fs.writeFile(envFile, `CTVS_TEST_CONFIG='${JSON.stringify(config)}'\n`);
    await fs.chmod(envFile, 0o644);
    const printed = await ctvs(["--env-file", envFile, "--config-env", "CTVS_TEST_CONFIG", "--print-config"], {
      env: { HOME: tmp.dir },
    });
    assert.equal(printed.code, 0, printed.stderr);
    assert.deepEqual(JSON.parse(printed.stdout), config);
    assert.equal(
      printed.stderr,
      `warning: ${envFile} holds secrets but other users may read it (mode 0644); run \`chmod 600 ${envFile}\``,
    );

    // The process's own environment wins over the file.
    const other = { version: 1, otel: { listen: "127.0.0.1:4319" }, sink: { type: "file", dir: tmp.dir } };
    const kept = await ctvs(["--env-file", envFile, "--config-env", "CTVS_TEST_CONFIG", "--print-config"], {
      env: { HOME: tmp.dir, CTVS_TEST_CONFIG: JSON.stringify(other) },
    });
    assert.deepEqual(JSON.parse(kept.stdout), other);

    const missing = await ctvs(["--env-file", path.join(tmp.dir, "nope.env"), "--print-config"], {
      env: { HOME: tmp.dir },
    });
    assert.deepEqual(missing, {
      code: 1,
      stdout: "",
      stderr: `config error: Cannot read the environment file ${path.join(tmp.dir, "nope.env")}: it does not exist`,
    });
    await fs.writeFile(envFile, "A=1\nnot a line\n", { mode: 0o600 });
    const bad = await ctvs(["--env-file", envFile, "--print-config"], { env: { HOME: tmp.dir } });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, `config error: Cannot read the environment file ${envFile}: line 2: expected NAME=value`);
  } finally {
    await tmp.remove();
  }
});
