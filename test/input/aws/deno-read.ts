// Entry for the Deno test: read the report's S3 object as on Connect (credential exchange,
// SigV4, ranged parallel GETs) and print its size and SHA-256.
import { createHash } from "node:crypto";
import { defaultEffects } from "../../../src/effects.ts";
import { openDataSource } from "../../../src/source/open.ts";

const source = await openDataSource(
  {
    s3: { bucket: String(process.env.AWS_BUCKET_NAME), key: String(process.env.AWS_S3_FILEPATH) },
    csv: {},
  },
  defaultEffects({ verbose: true }),
  { partSize: 64 * 1024, concurrency: 3 },
);
const hash = createHash("sha256");
let size = 0;
for await (const chunk of source.body()) {
  hash.update(chunk);
  size += chunk.length;
}
console.log(JSON.stringify({ size, sha256: hash.digest("hex"), credentials: source.credentialSource }));
