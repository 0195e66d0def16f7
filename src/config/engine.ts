// The `engine:` and `athena:` fields: where the report's summaries are computed. `local` (the
// default) reads the data into this process; `athena` pushes the queries and the profile to
// Amazon Athena (docs/athena.md), against a Glue table or a temporary table over source.s3.
import { ENGINES } from "../vocabulary.ts";
import { type Checker, Fields, quoted } from "./fields.ts";
import type { AthenaSpec, ReportSpec } from "./spec.ts";

const ATHENA_HINT =
  "athena: { workgroup: primary, database: analytics, table: orders, output_location: s3://my-athena-results/reports/ }";

/** Glue's database and table names: letters, digits and underscores. */
const GLUE_NAME = /^[A-Za-z0-9_]{1,255}$/;
/** athena.timeout_seconds at most: a day. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** Read `engine:` and `athena:`; `athena:` needs `engine: athena`, and the reverse. */
export function readEngine(
  checker: Checker,
  fields: Fields,
): Pick<ReportSpec, "engine"> & { athena?: AthenaSpec } {
  const engine = fields.oneOf("engine", ENGINES) ?? "local";
  const node = fields.node("athena");
  if (engine === "local") {
    if (node !== undefined)
      checker.fail(
        node.pos,
        fields.at("athena"),
        "the engine is local, so this block would not be used",
        "Add `engine: athena` to run the report's queries in Athena, or remove the athena: block.",
      );
    return { engine };
  }
  if (node === undefined)
    checker.fail(
      fields.node("engine")!.pos,
      fields.at("engine"),
      "the Athena engine needs an athena: block naming the workgroup and the database",
      ATHENA_HINT,
    );
  const path = fields.at("athena");
  const athena = new Fields(
    checker,
    node,
    path,
    [
      "workgroup",
      "database",
      "table",
      "output_location",
      "catalog",
      "region",
      "max_scanned_bytes",
      "timeout_seconds",
    ],
    ATHENA_HINT,
  );
  const glueName = (key: string, example: string): string | undefined => {
    const value = athena.text(key);
    if (value !== undefined && !GLUE_NAME.test(value))
      checker.fail(
        athena.node(key)!.pos,
        athena.at(key),
        `${quoted(athena.node(key)!, value)} is not a Glue ${key} name`,
        `Glue names hold only letters, digits and underscores, e.g. ${key}: ${example}.`,
      );
    return value;
  };
  const database =
    glueName("database", "analytics") ??
    athena.missing("database", "The Glue database queries run in, e.g. database: analytics.");
  const spec: AthenaSpec = {
    workgroup: athena.text("workgroup") ?? "primary",
    database,
    catalog: athena.text("catalog") ?? "AwsDataCatalog",
    path,
  };
  const table = glueName("table", "orders");
  if (table !== undefined) spec.table = table;
  const output = athena.text("output_location");
  if (output !== undefined) {
    if (!/^s3:\/\/[^/]+/.test(output))
      checker.fail(
        athena.node("output_location")!.pos,
        athena.at("output_location"),
        `${quoted(athena.node("output_location")!, output)} is not an S3 location`,
        "Write it as s3://bucket/prefix/, a bucket the role may write query results to.",
      );
    spec.outputLocation = output.endsWith("/") ? output : `${output}/`;
  }
  const region = athena.text("region");
  if (region !== undefined) spec.region = region;
  const maxScanned = athena.integer("max_scanned_bytes", 1, Number.MAX_SAFE_INTEGER);
  if (maxScanned !== undefined) spec.maxScannedBytes = maxScanned;
  const timeout = athena.integer("timeout_seconds", 1, MAX_TIMEOUT_SECONDS);
  if (timeout !== undefined) spec.timeoutSeconds = timeout;
  return { engine, athena: spec };
}
