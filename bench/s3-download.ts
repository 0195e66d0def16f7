// Parallel ranged download (8 MiB × 4 by default) against one streamed GET, from the local
// S3 test server (which verifies SigV4 on every request). On loopback both are limited by
// this machine's CPU; real S3 limits each connection's throughput and adds latency per
// request, so the server is also run with a per-response bandwidth cap and a per-request
// latency, which is where parallel ranges pay off. Run: npx tsx bench/s3-download.ts
// [--size-mib 64] [--bandwidth-mib 25] [--latency-ms 20] [--runs 3]
import { createHash, randomFillSync } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CredentialSource } from "../src/aws/credentials.ts";
import { createS3Access, headS3Object } from "../src/aws/s3.ts";
import { s3ObjectBody } from "../src/aws/s3-download.ts";
import { KeyRegistry } from "../test/servers/aws-keys.ts";
import { startS3Server, type Throttle } from "../test/servers/s3.ts";

export interface DownloadFigure {
  scenario: string;
  mode: string;
  medianMs: number;
  mibPerSecond: number;
}

const MiB = 1024 * 1024;

function staticSource(accessKeyId: string, secretAccessKey: string): CredentialSource {
  const provider = Object.assign(async () => ({ accessKeyId, secretAccessKey }), {
    invalidate: () => {},
    description: "benchmark keys",
  });
  return { kind: "default-chain", provider, describe: () => provider.description };
}

/** Time both download modes in each scenario; returns one figure per scenario and mode. */
export async function runS3DownloadBench(
  options: { sizeMiB?: number; bandwidthMiB?: number; latencyMs?: number; runs?: number } = {},
): Promise<DownloadFigure[]> {
  const size = Math.round((options.sizeMiB ?? 64) * MiB);
  const runs = options.runs ?? 3;
  const registry = new KeyRegistry();
  registry.addStatic("AKIDBENCHMARK0000001", "benchmark-secret");
  const server = await startS3Server({ registry });
  const body = randomFillSync(Buffer.alloc(size));
  const expected = createHash("sha256").update(body).digest("hex");
  server.putObject("bench", "object.bin", body);
  const scenarios: [string, Throttle][] = [
    ["loopback, no limits", { latencyMs: 0 }],
    [
      `${options.bandwidthMiB ?? 25} MiB/s per connection, ${options.latencyMs ?? 20} ms per request`,
      { latencyMs: options.latencyMs ?? 20, bytesPerSecond: (options.bandwidthMiB ?? 25) * MiB },
    ],
  ];
  const modes: [string, { partSize: number; concurrency: number }][] = [
    ["single GET", { partSize: size, concurrency: 1 }],
    ["8 MiB × 4 ranges", { partSize: 8 * MiB, concurrency: 4 }],
  ];
  const figures: DownloadFigure[] = [];
  try {
    for (const [scenario, throttle] of scenarios) {
      server.throttle = throttle;
      for (const [mode, download] of modes) {
        const access = createS3Access(
          { bucket: "bench", endpoint: server.url },
          staticSource("AKIDBENCHMARK0000001", "benchmark-secret"),
          {},
          download,
        );
        const times: number[] = [];
        for (let run = 0; run < runs; run++) {
          const started = performance.now();
          const info = await headS3Object(access, "object.bin");
          const hash = createHash("sha256");
          let received = 0;
          for await (const chunk of s3ObjectBody(access, info)) {
            hash.update(chunk);
            received += chunk.length;
          }
          times.push(performance.now() - started);
          if (received !== size || hash.digest("hex") !== expected) {
            throw new Error(`${mode}: downloaded bytes differ from the object`);
          }
        }
        const medianMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
        figures.push({ scenario, mode, medianMs, mibPerSecond: size / MiB / (medianMs / 1000) });
      }
    }
  } finally {
    await server.close();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      "size-mib": { type: "string" },
      "bandwidth-mib": { type: "string" },
      "latency-ms": { type: "string" },
      runs: { type: "string" },
    },
  });
  const num = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const sizeMiB = num(values["size-mib"]) ?? 64;
  const figures = await runS3DownloadBench({
    sizeMiB,
    bandwidthMiB: num(values["bandwidth-mib"]),
    latencyMs: num(values["latency-ms"]),
    runs: num(values.runs),
  });
  console.log(`S3 download of ${sizeMiB} MiB from the local S3 test server (median of runs)`);
  for (const f of figures) {
    console.log(
      `${f.scenario.padEnd(42)} ${f.mode.padEnd(18)} ${f.medianMs.toFixed(0).padStart(7)} ms ${f.mibPerSecond.toFixed(1).padStart(8)} MiB/s`,
    );
  }
  for (const scenario of new Set(figures.map((f) => f.scenario))) {
    const [single, ranged] = figures.filter((f) => f.scenario === scenario);
    console.log(
      `${scenario}: ranged / single speed = ${(single.medianMs / ranged.medianMs).toFixed(2)}×`,
    );
  }
}
