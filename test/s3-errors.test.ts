// What users hit when reading from S3, each message asserted: missing bucket or key (with
// close keys), access denied (naming the credentials, action and resource), expired
// credentials, wrong region and timeouts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { SourceSpec } from "../src/config/spec.ts";
import type { Effects } from "../src/effects.ts";
import { isReportError, type ReportError } from "../src/errors.ts";
import { openDataSource } from "../src/source/open.ts";
import { localFetch, recordingLog } from "./helpers/effects.ts";
import { type AwsWorld, collect, startAwsWorld } from "./servers/aws-world.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
  world.s3.putObject("data", "reports/sales.csv", "region,revenue\nNorth,1\n");
  world.s3.putObject("data", "reports/sales-2024.csv", "region,revenue\nSouth,2\n");
  world.s3.putObject("data", "reports/private.csv", "region,revenue\nEast,3\n");
  world.s3.putObject("data", "other/unrelated.csv", "x\n1\n");
});
after(() => world.close());

const effects = (): Effects => ({
  env: world.connectEnv,
  fetch: localFetch,
  now: () => new Date(),
  log: recordingLog(),
});
const spec = (s3: SourceSpec["s3"]): SourceSpec => ({ s3, csv: {} });
const isReport = (check: (error: ReportError) => void) => (error: unknown) => {
  assert.ok(isReportError(error), `expected a ReportError, got ${error}`);
  check(error);
  return true;
};

test("NoSuchBucket names the bucket and the key", async () => {
  await assert.rejects(
    openDataSource(spec({ bucket: "no-such-bucket", key: "reports/sales.csv" }), effects()),
    isReport((error) => {
      assert.match(error.message, /S3 bucket "no-such-bucket" does not exist/);
      assert.match(error.message, /key "reports\/sales\.csv"/);
      assert.match(error.hint ?? "", /AWS_BUCKET_NAME/);
    }),
  );
});

test("NoSuchKey names bucket and key and suggests close keys from a listing", async () => {
  await assert.rejects(
    openDataSource(spec({ bucket: "data", key: "reports/salse.csv" }), effects()),
    isReport((error) => {
      assert.equal(
        error.message,
        'S3 object not found: key "reports/salse.csv" in bucket "data" (s3://data/reports/salse.csv)',
      );
      assert.match(error.hint ?? "", /under "reports\/": "reports\/sales\.csv"/);
      assert.doesNotMatch(error.hint ?? "", /unrelated/);
      assert.match(error.hint ?? "", /AWS_S3_FILEPATH/);
    }),
  );
});

test("AccessDenied names the credential source, the action and the resource", async () => {
  world.s3.allow = ({ action, resource }) =>
    !(action === "s3:GetObject" && resource === "arn:aws:s3:::data/reports/private.csv");
  try {
    await assert.rejects(
      openDataSource(spec({ bucket: "data", key: "reports/private.csv" }), effects()),
      isReport((error) => {
        assert.match(
          error.message,
          /^Access denied: s3:GetObject on arn:aws:s3:::data\/reports\/private\.csv was refused/,
        );
        assert.match(
          error.message,
          /credentials from Connect service-account integration \(credential exchange at http:\/\/127\.0\.0\.1:\d+\)/,
        );
        assert.match(error.hint ?? "", /IAM role of the AWS integration/);
      }),
    );
  } finally {
    world.s3.allow = () => true;
  }
});

test("AccessDenied on a listing names s3:ListBucket on the bucket", async () => {
  world.s3.allow = ({ action }) => action !== "s3:ListBucket";
  try {
    await assert.rejects(
      openDataSource(spec({ bucket: "data", prefix: "reports/" }), effects()),
      isReport((error) =>
        assert.match(error.message, /s3:ListBucket on arn:aws:s3:::data was refused/),
      ),
    );
  } finally {
    world.s3.allow = () => true;
  }
});

test("ExpiredToken, still after renewing, says the credentials expired", async () => {
  world.oauth.lifetimeMs = -60_000;
  try {
    await assert.rejects(
      openDataSource(spec({ bucket: "data", key: "reports/sales.csv" }), effects()),
      isReport((error) => {
        assert.match(
          error.message,
          /^The AWS credentials from Connect service-account integration .* have expired/,
        );
        assert.match(error.message, /also after renewing them/);
        assert.match(error.hint ?? "", /clock/);
      }),
    );
  } finally {
    world.oauth.lifetimeMs = 3600_000;
  }
});

test("a bucket in another region is named", async () => {
  await assert.rejects(
    openDataSource(
      spec({ bucket: "data", key: "reports/sales.csv", region: "eu-west-3" }),
      effects(),
    ),
    isReport((error) => {
      assert.match(error.message, /Bucket "data" is not in region eu-west-3/);
      assert.match(error.hint ?? "", /AWS_REGION/);
    }),
  );
});

test("a server that does not answer in time gives a timeout error", async () => {
  const source = await openDataSource(
    spec({ bucket: "data", key: "reports/sales.csv" }),
    effects(),
    {
      timeoutMs: 200,
      maxAttempts: 2,
    },
  );
  world.s3.throttle = { latencyMs: 1500 };
  try {
    await assert.rejects(
      collect(source.body()),
      isReport((error) => {
        assert.equal(
          error.message,
          "S3 did not answer GetObject on s3://data/reports/sales.csv within 0.2 s (after 2 attempts)",
        );
        assert.match(error.hint ?? "", /S3_TIMEOUT_SECONDS/);
      }),
    );
  } finally {
    world.s3.throttle = { latencyMs: 0 };
  }
});

test("a password in the endpoint URL never reaches a message", async () => {
  const withPassword = world.s3.url.replace("http://", "http://minio-user:pa55-secret@");
  const log = recordingLog();
  const withLog = { ...effects(), log };
  const check = isReport((error) => {
    const shown = `${error.message}\n${error.hint}\n${log.lines.join("\n")}`;
    assert.ok(shown.includes(world.s3.url), `the endpoint is named: ${shown}`);
    assert.doesNotMatch(shown, /pa55-secret|minio-user/);
  });
  // NoSuchBucket's hint names the endpoint (the request itself is signed and answered).
  await assert.rejects(
    openDataSource(
      spec({ bucket: "no-such-bucket", key: "reports/sales.csv", endpoint: withPassword }),
      withLog,
    ),
    check,
  );
  // So does the timeout's.
  const source = await openDataSource(
    spec({ bucket: "data", key: "reports/sales.csv", endpoint: withPassword }),
    withLog,
    { timeoutMs: 200, maxAttempts: 1 },
  );
  world.s3.throttle = { latencyMs: 1500 };
  try {
    await assert.rejects(collect(source.body()), check);
  } finally {
    world.s3.throttle = { latencyMs: 0 };
  }
});
