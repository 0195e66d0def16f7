// The CLI's start-up for a bundle of it (test/helpers/bundle.ts): what bin/connect-s3-report.js
// does once it has found the CLI's module.
import { main } from "../../src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
