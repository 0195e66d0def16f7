// A stand-in post-render entry for the Deno bundle test: it touches what the real build does
// under Deno (CommonJS handlebars, the AWS SDK's use of process and Buffer, node: built-ins)
// and then runs the real install and email steps.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import Handlebars from "handlebars";
import { emailVersion, outputMetadata } from "../../../src/email/connect-metadata.ts";
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
const date = new Date().toISOString().slice(0, 10);
const message = {
  subject: `Probe report (${date})`,
  html: `<a href="${process.env.RSC_REPORT_RENDERING_URL}">Open the full report</a>`,
  text: `Latest version: ${process.env.RSC_REPORT_URL}\n`,
  images: [],
  decision: { send: true, reason: "the send rule is always" },
};
await writeOutputMetadata(outputDir, outputMetadata(message, emailVersion(process.env)));
