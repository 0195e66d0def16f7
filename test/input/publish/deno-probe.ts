// A stand-in post-render entry for the Deno bundle test: it touches what the real build does
// under Deno (CommonJS handlebars, the AWS SDK's use of process and Buffer, node: built-ins)
// and then runs the real install and email steps.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import Handlebars from "handlebars";
import { outputMetadata } from "../../../src/rendered/email.ts";
import { installReport, writeOutputMetadata } from "../../../src/rendered/install.ts";

const outputDir = process.env.QUARTO_PROJECT_OUTPUT_DIR ?? ".";
const s3 = new S3Client({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDPROBE", secretAccessKey: "probe" },
});
const region = await s3.config.region();
const page = Handlebars.compile("<title>{{title}}</title><p>{{region}} {{bytes}}</p>")({
  title: "Probe report",
  region,
  bytes: Buffer.from("probe").toString("base64"),
});
const built = await mkdtemp(join(tmpdir(), "probe-"));
await writeFile(join(built, "index.html"), page);
await installReport(built, outputDir);
await writeOutputMetadata(
  outputDir,
  outputMetadata({ title: "Probe report", renderedAt: new Date(), env: process.env }),
);
