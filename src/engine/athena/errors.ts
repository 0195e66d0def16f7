// Athena's refusals and failures in the user's words: which permission the role lacks (Athena,
// Glue, the data bucket or the results bucket), a table or database that does not exist, the
// workgroup's query limit, or the reason Athena gave for a failed query; each with a hint.
import type { AthenaSpec, ReportSpec } from "../../config/spec.ts";
import { ReportError } from "../../errors.ts";
import { specError } from "../../summarize/spec-error.ts";

/** The policy the hints point to. */
const POLICY_DOC = "docs/athena.md lists the whole policy the role needs.";

/** Where a failed statement came from, for messages: "profile (statistics)", "query by_region". */
export interface StatementContext {
  label: string;
  spec: ReportSpec;
  athena: AthenaSpec;
}

/** The error for a query that ended FAILED (or CANCELLED by Athena) with `reason`. */
export function queryFailed(
  reason: string,
  state: "FAILED" | "CANCELLED",
  context: StatementContext,
): ReportError {
  const { label, spec, athena } = context;
  const denied = /not authorized to perform: ([\w-]+:\w+) on resource: (\S+)/.exec(reason);
  if (denied) return permissionDenied(denied[1], denied[2], label);
  const output = /Access denied when writing output to url: (s3:\/\/\S+)/.exec(reason);
  if (output) {
    return new ReportError(
      `Athena could not write the results of ${label} to ${output[1]}: access denied (s3:PutObject).`,
      {
        hint: `Allow s3:PutObject, s3:GetObject and s3:GetBucketLocation on the results bucket, or set athena.output_location to a bucket the role may write. ${POLICY_DOC}`,
      },
    );
  }
  const data = /Permission denied on S3 path: (s3:\/\/\S+)/.exec(reason);
  if (data) {
    return new ReportError(
      `Athena could not read the data at ${data[1]} (${label}): access denied.`,
      {
        hint: `Allow s3:GetObject and s3:ListBucket on the data bucket. ${POLICY_DOC}`,
      },
    );
  }
  const table = /TABLE_NOT_FOUND: .*Table '([^']+)' does not exist/.exec(reason);
  if (table) {
    const path = athena.table === undefined ? athena.path : [...athena.path, "table"];
    return specError(
      spec,
      path,
      `the table ${table[1]} does not exist in Athena's catalog.`,
      "Check athena.database and athena.table (Glue lowercases names), or leave out table: to read source.s3 through a temporary table.",
    );
  }
  const schema = /SCHEMA_NOT_FOUND: .*Schema '([^']+)' does not exist/.exec(reason);
  if (schema) {
    return specError(
      spec,
      [...athena.path, "database"],
      `the database ${schema[1]} does not exist in Athena's catalog.`,
      "Check athena.database, or create it: CREATE DATABASE name (in the Athena console).",
    );
  }
  if (state === "CANCELLED") {
    return new ReportError(`Athena cancelled ${label}: ${reason}`, {
      hint: `The workgroup '${athena.workgroup}' may limit the data one query scans; raise its limit or narrow the report.`,
    });
  }
  return new ReportError(`Athena could not run ${label}: ${reason}`, {
    hint: "Run the build with --verbose to see the statement; check the data's types against the table's.",
  });
}

/** The error for an API call Athena refused (the SDK's exception). */
export function apiFailed(error: unknown, context: StatementContext): ReportError | undefined {
  const name = (error as { name?: string })?.name ?? "";
  const message = (error as { message?: string })?.message ?? String(error);
  const { label, athena } = context;
  if (name === "AccessDeniedException") {
    const denied = /not authorized to perform: ([\w-]+:\w+) on resource: (\S+)/.exec(message);
    return denied
      ? permissionDenied(denied[1], denied[2], label)
      : new ReportError(`Athena refused ${label}: ${message}`, { hint: POLICY_DOC });
  }
  if (name === "TooManyRequestsException") {
    return new ReportError(
      `Athena's workgroup '${athena.workgroup}' is at its limit of queries running at once (${label}).`,
      {
        hint: "Run the report again later or when fewer queries run in this account; the limit is the Service Quota 'Active DML queries'.",
      },
    );
  }
  if (name === "InvalidRequestException") {
    if (/WorkGroup .* is not found/i.test(message)) {
      return specError(
        context.spec,
        [...athena.path, "workgroup"],
        `Athena has no workgroup '${athena.workgroup}'.`,
        "Name an existing workgroup (the Athena console lists them); the default one is primary.",
      );
    }
    if (/No output location provided/i.test(message)) {
      return specError(
        context.spec,
        athena.path,
        `the workgroup '${athena.workgroup}' has no query result location, and the definition names none.`,
        "Add output_location: s3://bucket/prefix/ to the athena: block.",
      );
    }
    return new ReportError(`Athena refused ${label}: ${message}`);
  }
  if (
    name === "UnrecognizedClientException" ||
    name === "InvalidSignatureException" ||
    name === "ExpiredTokenException"
  ) {
    return new ReportError(`Athena did not accept the AWS credentials: ${message}`, {
      hint: "Check the keys (or the Connect integration) and the region the definition names.",
    });
  }
  return undefined;
}

function permissionDenied(action: string, resource: string, label: string): ReportError {
  const service = action.split(":")[0];
  const what =
    service === "glue"
      ? "the Glue catalog"
      : service === "s3"
        ? "S3"
        : service === "athena"
          ? "Athena"
          : service;
  return new ReportError(
    `Permission denied: the role may not ${action} on ${resource} (${what}; ${label}).`,
    { hint: `Add ${action} to the role's policy. ${POLICY_DOC}` },
  );
}
