// Downloads through src/aws/s3.ts against the S3 test server, whose SigV4 check is itself
// tested here: byte identity around part boundaries, ranges, listing pages, renewal after
// ExpiredToken, and the server rejecting wrong keys, bad signatures and tampered requests.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  GetObjectCommand,
  S3Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { connectSource } from "../src/aws/credentials.ts";
import { createS3Access, listS3Objects } from "../src/aws/s3.ts";
import { openS3Location } from "../src/source/s3.ts";
import { type AwsWorld, collect, startAwsWorld, testBytes } from "./servers/aws-world.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

const access = (options: { partSize?: number; concurrency?: number } = {}) =>
  createS3Access({ bucket: "data" }, connectSource(world.connectEnv), world.connectEnv, options);

test("downloads are byte-identical for sizes around part boundaries", async () => {
  const partSize = 1024;
  const sizes = [
    0,
    1,
    1023,
    1024,
    1025,
    2047,
    2048,
    2049,
    3 * 1024 + 1,
    10 * 1024 - 1,
    10 * 1024 + 7,
  ];
  const s3 = access({ partSize, concurrency: 3 });
  for (const size of sizes) {
    const bytes = testBytes(size, size + 1);
    const key = `boundaries/${size}.bin`;
    world.s3.putObject("data", key, bytes);
    const before = world.s3.requests.length;
    const source = await openS3Location(s3, { bucket: "data", key });
    assert.equal(source.size, size);
    const got = await collect(source.body());
    assert.ok(got.equals(Buffer.from(bytes)), `size ${size}: bytes differ`);
    const gets = world.s3.requests.slice(before).filter((r) => r.action === "GetObject");
    if (size <= partSize) {
      assert.deepEqual(
        gets.map((r) => r.range),
        [undefined],
        `size ${size}: one plain GET`,
      );
    } else {
      const expected: string[] = [];
      for (let start = 0; start < size; start += partSize)
        expected.push(`bytes=${start}-${Math.min(size, start + partSize) - 1}`);
      assert.deepEqual(gets.map((r) => r.range).sort(), expected.sort(), `size ${size}: ranges`);
    }
  }
});

test("parts are yielded in order even when later ones arrive first", async () => {
  const bytes = testBytes(64 * 1024, 7);
  world.s3.putObject("data", "order.bin", bytes);
  const s3 = access({ partSize: 4096, concurrency: 4 });
  // The first range answers last of its batch.
  world.s3.throttle = { latencyMs: 0, latencyFor: (r) => (r.range === "bytes=0-4095" ? 300 : 0) };
  try {
    const source = await openS3Location(s3, { bucket: "data", key: "order.bin" });
    const before = world.s3.requests.length;
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.body()) chunks.push(chunk);
    assert.ok(Buffer.concat(chunks).equals(Buffer.from(bytes)));
    assert.equal(chunks.length, 16);
    const gets = world.s3.requests.slice(before);
    const first = gets.find((r) => r.range === "bytes=0-4095");
    const second = gets.find((r) => r.range === "bytes=4096-8191");
    assert.ok((first?.finished ?? 0) > (second?.finished ?? 0), "range 2 finished before range 1");
  } finally {
    world.s3.throttle = { latencyMs: 0 };
  }
});

test("suffix and open-ended ranges follow RFC 9110", async () => {
  const bytes = testBytes(100, 3);
  world.s3.putObject("data", "ranges.bin", bytes);
  const credentials = await connectSource(world.connectEnv).provider();
  const client = new S3Client({
    region: "us-east-1",
    endpoint: world.s3.url,
    forcePathStyle: true,
    credentials,
  });
  const get = async (range: string) => {
    const response = await client.send(
      new GetObjectCommand({ Bucket: "data", Key: "ranges.bin", Range: range }),
    );
    return {
      body: Buffer.from(
        await (
          response.Body as { transformToByteArray(): Promise<Uint8Array> }
        ).transformToByteArray(),
      ),
      range: response.ContentRange,
    };
  };
  assert.deepEqual(await get("bytes=-8"), {
    body: Buffer.from(bytes.subarray(92)),
    range: "bytes 92-99/100",
  });
  assert.deepEqual(await get("bytes=90-"), {
    body: Buffer.from(bytes.subarray(90)),
    range: "bytes 90-99/100",
  });
  assert.deepEqual(await get("bytes=10-19"), {
    body: Buffer.from(bytes.subarray(10, 20)),
    range: "bytes 10-19/100",
  });
  assert.deepEqual(await get("bytes=95-500"), {
    body: Buffer.from(bytes.subarray(95)),
    range: "bytes 95-99/100",
  });
  await assert.rejects(get("bytes=100-"), { name: "InvalidRange" });
  client.destroy();
});

test("a prefix lists every object through continuation tokens", async () => {
  const keys = Array.from(
    { length: 25 },
    (_, i) => `sales/year=2025/part-${String(i).padStart(3, "0")}.csv`,
  );
  for (const key of keys) world.s3.putObject("data", key, `id\n${key}\n`);
  world.s3.putObject("data", "sales-other.csv", "not under the prefix");
  const s3 = access();
  const before = world.s3.requests.length;
  const listing = await listS3Objects(s3, "sales/", { pageSize: 10 });
  assert.deepEqual(
    listing.map((o) => o.key),
    keys,
  );
  assert.equal(listing[3].size, `id\n${keys[3]}\n`.length);
  const lists = world.s3.requests.slice(before).filter((r) => r.action === "ListObjectsV2");
  assert.equal(lists.length, 3);
  const source = await openS3Location(s3, { bucket: "data", prefix: "sales/" });
  assert.equal(source.parts?.length, 25);
  assert.equal((await collect(source.parts?.[24].body() ?? [])).toString(), `id\n${keys[24]}\n`);
});

test("after ExpiredToken the credentials are exchanged again and the read goes on", async () => {
  world.s3.putObject("data", "renew.csv", "a,b\n1,2\n");
  const s3 = access();
  const first = await openS3Location(s3, { bucket: "data", key: "renew.csv" });
  const oldKey = world.s3.requests.at(-1)?.accessKeyId as string;
  // The server now considers the cached credentials expired, though their stated expiry is an hour away.
  const issued = world.registry.get(oldKey);
  assert.ok(issued);
  issued.expiration = new Date(Date.now() - 1000);
  const before = world.s3.requests.length;
  assert.equal((await collect(first.body())).toString(), "a,b\n1,2\n");
  const seen = world.s3.requests.slice(before);
  assert.deepEqual(
    seen.map((r) => [r.accessKeyId === oldKey, r.error ?? r.status]),
    [
      [true, "ExpiredToken"],
      [false, 200],
    ],
  );
});

// Change a signed header after signing, as a proxy might.
const tamperRange: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
  (next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers.range = "bytes=0-3";
    return next(args);
  };

test("credentials that expire before the HeadObject are renewed too", async () => {
  world.s3.putObject("data", "renew-head.csv", "x\n1\n");
  const s3 = access();
  // A first open caches credentials, which the server then treats as expired.
  await openS3Location(s3, { bucket: "data", key: "renew-head.csv" });
  const oldKey = world.s3.requests.at(-1)?.accessKeyId as string;
  const issued = world.registry.get(oldKey);
  assert.ok(issued);
  issued.expiration = new Date(Date.now() - 1000);
  const before = world.s3.requests.length;
  const source = await openS3Location(s3, { bucket: "data", key: "renew-head.csv" });
  assert.equal((await collect(source.body())).toString(), "x\n1\n");
  const seen = world.s3.requests.slice(before);
  assert.deepEqual(
    seen.map((r) => [r.action, r.accessKeyId === oldKey, r.error ?? r.status]),
    [
      ["HeadObject", true, "ExpiredToken"],
      ["GetObject", true, "ExpiredToken"],
      ["GetObject", false, 206],
      ["HeadObject", false, 200],
      ["GetObject", false, 200],
    ],
  );
});

test("the S3 server rejects unknown keys, wrong secrets and tampered requests", async () => {
  world.s3.putObject("data", "guarded.txt", "secret data");
  world.registry.addStatic("AKIDTESTSTATIC000001", "right-secret");
  const send = async (accessKeyId: string, secretAccessKey: string, tamper = false) => {
    const client = new S3Client({
      region: "us-east-1",
      endpoint: world.s3.url,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    if (tamper) {
      client.middlewareStack.addRelativeTo(tamperRange, {
        relation: "after",
        toMiddleware: "httpSigningMiddleware",
        name: "tamper",
      });
    }
    try {
      const response = await client.send(
        new GetObjectCommand({ Bucket: "data", Key: "guarded.txt", Range: "bytes=0-5" }),
      );
      return String(
        await (response.Body as { transformToString(): Promise<string> }).transformToString(),
      );
    } catch (error) {
      return (error as Error).name;
    } finally {
      client.destroy();
    }
  };
  assert.equal(await send("AKIDTESTSTATIC000001", "right-secret"), "secret");
  assert.equal(await send("AKIDTESTSTATIC000001", "wrong-secret"), "SignatureDoesNotMatch");
  assert.equal(await send("AKIDUNKNOWN000000000", "right-secret"), "InvalidAccessKeyId");
  assert.equal(await send("AKIDTESTSTATIC000001", "right-secret", true), "SignatureDoesNotMatch");
});
