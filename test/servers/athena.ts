// An Amazon Athena test server on 127.0.0.1: Athena's JSON protocol (`X-Amz-Target:
// AmazonAthena.<Action>`, application/x-amz-json-1.1) with SigV4 signatures and session tokens
// checked as the S3 test server checks them (sigv4.ts), executing the statements it is sent on
// DuckDB. Tables live in a Glue-like catalog: preset per test, or made by the `CREATE EXTERNAL
// TABLE … LOCATION 's3://bucket/prefix/'` the engine sends, each a DuckDB view over the objects
// the S3 test server holds at that location. DuckDB spells a few Trino functions differently;
// those are mapped by macros (TRINO_MACROS) and nothing else is rewritten. Permissions (Athena,
// Glue, S3 on the data and results buckets) go through `allow`; faults are injected per test:
// a failed query with Athena's reason, TooManyRequestsException, a query that runs until stopped.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { KeyRegistry } from "./aws-keys.ts";
import type { S3TestServer } from "./s3.ts";
import { SigV4Error, verifySigV4 } from "./sigv4.ts";

/** The Athena actions this server answers. */
export const ATHENA_ACTIONS = [
  "StartQueryExecution",
  "GetQueryExecution",
  "GetQueryResults",
  "StopQueryExecution",
] as const;
type AthenaAction = (typeof ATHENA_ACTIONS)[number];

/**
 * Trino functions DuckDB spells differently, as DuckDB macros of the Trino name. approx_distinct
 * counts exactly: DuckDB's HyperLogLog errs by up to 27% on the sample data, far beyond the
 * 2.3% standard error Athena documents, and an exact count is within Athena's bound.
 */
const TRINO_MACROS = [
  "CREATE MACRO approx_distinct(x) AS count(DISTINCT x)",
  "CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, CAST(p AS FLOAT))",
  "CREATE MACRO to_unixtime(t) AS epoch(t)",
  "CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
  "CREATE MACRO is_finite(x) AS isfinite(x)",
  "CREATE MACRO is_infinite(x) AS isinf(x)",
  "CREATE MACRO is_nan(x) AS isnan(x)",
];

/** The account and the caller Athena names in its messages. */
const ACCOUNT = "123456789012";
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/connect-report/session`;

export type QueryState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

/**
 * A fault, matched against the statement's text; `times` (default 1) how often it strikes.
 * `fail`: the query fails with `reason` as its StateChangeReason; `throttle`:
 * StartQueryExecution answers TooManyRequestsException (the workgroup's query limit);
 * `slow`: the query stays RUNNING until StopQueryExecution.
 */
export type AthenaFault = { match?: RegExp; times?: number } & (
  | { kind: "fail"; reason: string }
  | { kind: "throttle" }
  | { kind: "slow" }
);

export interface AthenaRecorded {
  action: string;
  accessKeyId?: string;
  status: number;
  error?: string;
}

export interface AthenaExecution {
  id: string;
  sql: string;
  workgroup: string;
  database?: string;
  catalog?: string;
  outputLocation: string;
  token?: string;
  state: QueryState;
  reason?: string;
  polls: number;
  scanned: number;
  engineMs: number;
  submitted: Date;
  completed?: Date;
  /** Header row first for a SELECT; empty for DDL. */
  rows: (string | null)[][];
  columns: { name: string; type: string }[];
  ddl: boolean;
}

/** Where a catalog table's data lies: objects of the S3 test server, and how to read them. */
export interface TableSource {
  bucket: string;
  /** Every object under this prefix (a LOCATION). */
  prefix: string;
  format: "csv" | "parquet";
  /** For CSV: the declared columns (all string, as OpenCSVSerde reads them); absent: detected. */
  columns?: string[];
  delimiter?: string;
  /** Lines skipped at the top of each CSV object (skip.header.line.count). */
  skipHeader?: number;
}

export interface AthenaServerOptions {
  registry: KeyRegistry;
  s3: S3TestServer;
  region?: string;
  /** Workgroups and their result locations; default { primary: {} }. */
  workgroups?: Record<string, { outputLocation?: string }>;
  /** Largest page GetQueryResults returns, whatever MaxResults asks; default 1000. */
  maxPageSize?: number;
}

export interface AthenaTestServer {
  url: string;
  region: string;
  requests: AthenaRecorded[];
  executions: AthenaExecution[];
  /** Refuse an action ("athena:…", "glue:…", "s3:…"): return false and it is denied. */
  allow: (request: { accessKeyId: string; action: string; resource: string }) => boolean;
  /** Register a table in the catalog (as a Glue crawler or an admin would). */
  presetTable(database: string, table: string, source: TableSource): Promise<void>;
  /** The catalog's tables, "db.table". */
  tables(): string[];
  injectFaults(faults: AthenaFault[]): void;
  close(): Promise<void>;
}

class AthenaError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Athena's error types for the signature failures the S3 codes name. */
const SIGNATURE_ERRORS: Record<string, string> = {
  InvalidAccessKeyId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  ExpiredToken: "ExpiredTokenException",
  InvalidToken: "UnrecognizedClientException",
  RequestTimeTooSkewed: "InvalidSignatureException",
};

interface CatalogTable {
  source: TableSource;
  /** Bytes of the objects under the location: what a full scan reads. */
  bytes: () => number;
}

/** Start the server against `options.s3`'s objects. */
export async function startAthenaServer(options: AthenaServerOptions): Promise<AthenaTestServer> {
  const region = options.region ?? "us-east-1";
  const workgroups = options.workgroups ?? { primary: {} };
  const maxPageSize = options.maxPageSize ?? 1000;
  const duck = await DuckDBInstance.create(":memory:");
  const db = await duck.connect();
  await db.run("SET TimeZone = 'UTC'");
  for (const macro of TRINO_MACROS) await db.run(macro);
  const dir = await mkdtemp(join(tmpdir(), "athena-server-"));
  const catalog = new Map<string, CatalogTable>();
  const executions = new Map<string, AthenaExecution>();
  const tokens = new Map<string, string>();
  const faults: AthenaFault[] = [];
  const requests: AthenaRecorded[] = [];
  // DuckDB runs one statement at a time on this connection.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };
  let files = 0;

  const takeFault = (sql: string, kinds: AthenaFault["kind"][]): AthenaFault | undefined => {
    const i = faults.findIndex((f) => kinds.includes(f.kind) && (f.match?.test(sql) ?? true));
    if (i < 0) return undefined;
    const fault = faults[i];
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(i, 1);
    else faults[i] = { ...fault, times: left };
    return fault;
  };

  /** A DuckDB view over the objects at the table's location. */
  async function createView(
    database: string,
    table: string,
    source: TableSource,
    withPath: boolean,
  ): Promise<void> {
    const keys = options.s3.listKeys(source.bucket, source.prefix);
    const parts: string[] = [];
    for (const key of keys) {
      const object = options.s3.getObject(source.bucket, key);
      if (object === undefined) continue;
      const file = join(dir, `${files++}.${source.format}`);
      await writeFile(file, object.body);
      // "$path", Athena's hidden column of each row's object, is visible only in tables the
      // engine creates (which it never reads with *): a DuckDB view cannot hide a column.
      const path = withPath ? `, ${quoteLiteral(`s3://${source.bucket}/${key}`)} AS "$path"` : "";
      if (source.format === "parquet") {
        parts.push(`SELECT *${path} FROM read_parquet(${quoteLiteral(file)})`);
        continue;
      }
      const delim = quoteLiteral(source.delimiter ?? ",");
      if (source.columns === undefined) {
        parts.push(
          `SELECT *${path} FROM read_csv(${quoteLiteral(file)}, header = true, delim = ${delim})`,
        );
        continue;
      }
      const columns = source.columns.map((name) => `${quoteLiteral(name)}: 'VARCHAR'`).join(", ");
      parts.push(
        `SELECT *${path} FROM read_csv(${quoteLiteral(file)}, header = false, skip = ${source.skipHeader ?? 0}, delim = ${delim}, quote = '"', escape = '"', columns = {${columns}}, nullstr = '\u0001', auto_detect = false, null_padding = true)`,
      );
    }
    if (parts.length === 0)
      throw new AthenaError(
        "",
        `HIVE_INVALID_METADATA: no objects under s3://${source.bucket}/${source.prefix}`,
      );
    await db.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(database)}`);
    // Read once into a DuckDB table: each statement then costs milliseconds, not a parse of
    // every object (the statistics still count the objects' bytes, as Athena would scan them).
    await db.run(
      `CREATE OR REPLACE TABLE ${quoteIdent(database)}.${quoteIdent(table)} AS ${parts.join(" UNION ALL ")}`,
    );
    catalog.set(`${database}.${table}`.toLowerCase(), {
      source,
      bytes: () =>
        keys.reduce((n, k) => n + (options.s3.getObject(source.bucket, k)?.body.length ?? 0), 0),
    });
  }

  /** The catalog tables a statement names as "db"."table" (or db.table). */
  function referencedTables(sql: string): { name: string; database: string; table: string }[] {
    const found: { name: string; database: string; table: string }[] = [];
    const pattern =
      /(?:"((?:[^"]|"")+)"|([A-Za-z_][\w]*))\s*\.\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][\w]*))/g;
    // Names inside string literals ('s3://bucket/orders.csv') are not tables.
    const code = sql.replace(/'(?:[^']|'')*'/g, "''");
    for (const m of code.matchAll(pattern)) {
      const database = (m[1]?.replaceAll('""', '"') ?? m[2]).toLowerCase();
      const table = (m[3]?.replaceAll('""', '"') ?? m[4]).toLowerCase();
      found.push({ name: `${database}.${table}`, database, table });
    }
    return found;
  }

  function deny(accessKeyId: string, action: string, resource: string): boolean {
    return !state.allow({ accessKeyId, action, resource });
  }

  /** Runs one execution to its end state (unless a slow fault keeps it running). */
  async function execute(execution: AthenaExecution, accessKeyId: string): Promise<void> {
    const fail = (reason: string) => {
      execution.state = "FAILED";
      execution.reason = reason;
      execution.completed = new Date();
    };
    const fault = takeFault(execution.sql, ["fail", "slow"]);
    if (fault?.kind === "slow") return; // RUNNING until stopped
    if (fault?.kind === "fail") return fail(fault.reason);
    const started = performance.now();
    const ddl = parseDdl(execution.sql);
    try {
      if (ddl !== undefined) {
        execution.ddl = true;
        const arn = `arn:aws:glue:${region}:${ACCOUNT}:table/${ddl.database}/${ddl.table}`;
        const action = ddl.kind === "create" ? "glue:CreateTable" : "glue:DeleteTable";
        if (deny(accessKeyId, action, arn)) return fail(notAuthorized(action, arn));
        if (ddl.kind === "create") {
          if (catalog.has(`${ddl.database}.${ddl.table}`))
            return fail(`AlreadyExistsException: Table ${ddl.table} already exists.`);
          await serial(() => createView(ddl.database, ddl.table, ddl.source, true));
        } else {
          catalog.delete(`${ddl.database}.${ddl.table}`);
          await serial(() =>
            db.run(`DROP TABLE IF EXISTS ${quoteIdent(ddl.database)}.${quoteIdent(ddl.table)}`),
          );
        }
      } else {
        let scanned = 0;
        for (const ref of referencedTables(execution.sql)) {
          const arn = `arn:aws:glue:${region}:${ACCOUNT}:table/${ref.database}/${ref.table}`;
          if (deny(accessKeyId, "glue:GetTable", arn))
            return fail(notAuthorized("glue:GetTable", arn));
          const table = catalog.get(ref.name);
          if (table === undefined) {
            return fail(
              `TABLE_NOT_FOUND: line 1:1: Table '${(execution.catalog ?? "AwsDataCatalog").toLowerCase()}.${ref.name}' does not exist`,
            );
          }
          const { bucket, prefix } = table.source;
          for (const key of options.s3.listKeys(bucket, prefix)) {
            if (deny(accessKeyId, "s3:GetObject", `arn:aws:s3:::${bucket}/${key}`))
              return fail(`Permission denied on S3 path: s3://${bucket}/${key}`);
          }
          scanned += table.bytes();
        }
        const result = await serial(() => db.runAndReadAll(execution.sql));
        const names = result.columnNames();
        const types = result.columnTypes().map((t) => athenaType(String(t)));
        execution.columns = names.map((name, i) => ({ name, type: types[i] }));
        execution.rows = [names, ...result.getRows().map((row) => row.map(cellText))];
        // A LIMIT 0 (the engine's schema query) reads no data.
        execution.scanned = /\bLIMIT 0\s*$/i.test(execution.sql) ? 0 : scanned;
      }
    } catch (error) {
      if (error instanceof AthenaError) return fail(error.message);
      return fail(`GENERIC_INTERNAL_ERROR: ${(error as Error).message.split("\n")[0]}`);
    }
    // Athena writes every result to the output location, as CSV.
    const output = parseS3Url(
      `${execution.outputLocation.replace(/\/?$/, "/")}${execution.id}.csv`,
    );
    if (deny(accessKeyId, "s3:PutObject", `arn:aws:s3:::${output.bucket}/${output.key}`)) {
      return fail(
        `Access denied when writing output to url: s3://${output.bucket}/${output.key} . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key`,
      );
    }
    options.s3.putObject(
      output.bucket,
      output.key,
      execution.rows
        .map((row) => row.map((c) => (c === null ? "" : `"${c.replaceAll('"', '""')}"`)).join(","))
        .join("\n"),
      "text/csv",
    );
    execution.engineMs = Math.max(1, Math.round(performance.now() - started));
    execution.state = "SUCCEEDED";
    execution.completed = new Date();
  }

  async function act(action: AthenaAction, input: Record<string, unknown>, accessKeyId: string) {
    const resourceOf = (workgroup: string) =>
      `arn:aws:athena:${region}:${ACCOUNT}:workgroup/${workgroup}`;
    const executionOf = (): AthenaExecution => {
      const id = String(input.QueryExecutionId ?? "");
      const execution = executions.get(id);
      if (execution === undefined)
        throw new AthenaError("InvalidRequestException", `QueryExecution ${id} was not found`, {
          AthenaErrorCode: "INVALID_INPUT",
        });
      if (deny(accessKeyId, `athena:${action}`, resourceOf(execution.workgroup)))
        throw new AthenaError(
          "AccessDeniedException",
          notAuthorized(`athena:${action}`, resourceOf(execution.workgroup)),
        );
      return execution;
    };
    switch (action) {
      case "StartQueryExecution": {
        const sql = String(input.QueryString ?? "");
        const workgroup = String(input.WorkGroup ?? "primary");
        const group = workgroups[workgroup];
        if (group === undefined)
          throw new AthenaError("InvalidRequestException", `WorkGroup ${workgroup} is not found.`, {
            AthenaErrorCode: "INVALID_INPUT",
          });
        if (deny(accessKeyId, "athena:StartQueryExecution", resourceOf(workgroup)))
          throw new AthenaError(
            "AccessDeniedException",
            notAuthorized("athena:StartQueryExecution", resourceOf(workgroup)),
          );
        const token =
          input.ClientRequestToken === undefined ? undefined : String(input.ClientRequestToken);
        if (token !== undefined && tokens.has(token)) {
          const earlier = executions.get(tokens.get(token) ?? "");
          if (earlier?.sql !== sql)
            throw new AthenaError("InvalidRequestException", "Idempotent parameters do not match", {
              AthenaErrorCode: "INVALID_INPUT",
            });
          return { QueryExecutionId: earlier.id };
        }
        if (takeFault(sql, ["throttle"]) !== undefined)
          throw new AthenaError(
            "TooManyRequestsException",
            "You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.",
            { Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED" },
          );
        const config = (input.ResultConfiguration ?? {}) as { OutputLocation?: string };
        const outputLocation = group.outputLocation ?? config.OutputLocation;
        if (outputLocation === undefined)
          throw new AthenaError(
            "InvalidRequestException",
            "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.",
            { AthenaErrorCode: "INVALID_INPUT" },
          );
        const context = (input.QueryExecutionContext ?? {}) as {
          Database?: string;
          Catalog?: string;
        };
        const execution: AthenaExecution = {
          id: randomUUID(),
          sql,
          workgroup,
          database: context.Database,
          catalog: context.Catalog,
          outputLocation,
          token,
          state: "QUEUED",
          polls: 0,
          scanned: 0,
          engineMs: 0,
          submitted: new Date(),
          rows: [],
          columns: [],
          ddl: false,
        };
        executions.set(execution.id, execution);
        if (token !== undefined) tokens.set(token, execution.id);
        void Promise.resolve().then(() => {
          if (execution.state === "QUEUED") execution.state = "RUNNING";
          return execute(execution, accessKeyId);
        });
        return { QueryExecutionId: execution.id };
      }
      case "GetQueryExecution": {
        const execution = executionOf();
        execution.polls++;
        // The first poll always sees the query queued, as a busy Athena shows it.
        const shown: QueryState = execution.polls === 1 ? "QUEUED" : execution.state;
        const status: Record<string, unknown> = {
          State: shown,
          SubmissionDateTime: execution.submitted.getTime() / 1000,
        };
        if (shown === "FAILED" || shown === "CANCELLED")
          status.StateChangeReason = execution.reason;
        if (execution.completed && shown === execution.state)
          status.CompletionDateTime = execution.completed.getTime() / 1000;
        return {
          QueryExecution: {
            QueryExecutionId: execution.id,
            Query: execution.sql,
            StatementType: execution.ddl ? "DDL" : "DML",
            WorkGroup: execution.workgroup,
            ResultConfiguration: {
              OutputLocation: `${execution.outputLocation}${execution.id}.csv`,
            },
            QueryExecutionContext: {
              ...(execution.database ? { Database: execution.database } : {}),
              ...(execution.catalog ? { Catalog: execution.catalog } : {}),
            },
            Status: status,
            Statistics: {
              EngineExecutionTimeInMillis: execution.engineMs,
              DataScannedInBytes: execution.scanned,
              TotalExecutionTimeInMillis: execution.engineMs,
            },
          },
        };
      }
      case "GetQueryResults": {
        const execution = executionOf();
        if (execution.state !== "SUCCEEDED")
          throw new AthenaError(
            "InvalidRequestException",
            `Query has not yet finished. Current state: ${execution.state}`,
            { AthenaErrorCode: "INVALID_INPUT" },
          );
        const start =
          input.NextToken === undefined
            ? 0
            : Number(Buffer.from(String(input.NextToken), "base64url").toString());
        const asked = input.MaxResults === undefined ? 1000 : Number(input.MaxResults);
        if (!(asked >= 1 && asked <= 1000))
          throw new AthenaError(
            "InvalidRequestException",
            "MaxResults must be between 1 and 1000",
            {
              AthenaErrorCode: "INVALID_INPUT",
            },
          );
        const size = Math.min(asked, maxPageSize);
        const page = execution.rows.slice(start, start + size);
        const next =
          start + size < execution.rows.length
            ? Buffer.from(String(start + size)).toString("base64url")
            : undefined;
        return {
          ResultSet: {
            Rows: page.map((row) => ({
              Data: row.map((c) => (c === null ? {} : { VarCharValue: c })),
            })),
            ResultSetMetadata: {
              ColumnInfo: execution.columns.map((c) => ({
                CatalogName: "hive",
                SchemaName: "",
                TableName: "",
                Name: c.name,
                Label: c.name,
                Type: c.type,
                Precision: 0,
                Scale: 0,
                Nullable: "UNKNOWN",
                CaseSensitive: c.type === "varchar",
              })),
            },
          },
          UpdateCount: 0,
          ...(next === undefined ? {} : { NextToken: next }),
        };
      }
      case "StopQueryExecution": {
        const execution = executionOf();
        if (execution.state === "QUEUED" || execution.state === "RUNNING") {
          execution.state = "CANCELLED";
          execution.reason = "Query cancelled by user";
          execution.completed = new Date();
        }
        return {};
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record: AthenaRecorded = { action: "Unknown", status: 200 };
      requests.push(record);
      void answer(req, res, body, record);
    });
  });

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    record: AthenaRecorded,
  ) {
    const reply = (status: number, payload: unknown, type?: string) => {
      record.status = status;
      if (type) record.error = type;
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": randomUUID(),
        ...(type ? { "x-amzn-errortype": type } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    try {
      const target = String(req.headers["x-amz-target"] ?? "");
      const action = target.replace(/^AmazonAthena\./, "");
      record.action = action;
      let accessKeyId: string;
      try {
        accessKeyId = verifySigV4(
          req,
          body,
          options.registry,
          { region, service: "athena", now: new Date() },
          (key) => {
            record.accessKeyId = key;
          },
        );
      } catch (error) {
        if (!(error instanceof SigV4Error)) throw error;
        throw new AthenaError(SIGNATURE_ERRORS[error.code] ?? error.code, error.message);
      }
      if (
        !target.startsWith("AmazonAthena.") ||
        !(ATHENA_ACTIONS as readonly string[]).includes(action)
      )
        throw new AthenaError("UnknownOperationException", `Unknown operation ${target}`);
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1"))
        throw new AthenaError("SerializationException", "Expected application/x-amz-json-1.1");
      const input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
      reply(200, await act(action as AthenaAction, input, accessKeyId));
    } catch (error) {
      if (error instanceof AthenaError) {
        reply(400, { __type: error.type, Message: error.message, ...error.extra }, error.type);
        return;
      }
      reply(
        500,
        { __type: "InternalServerException", Message: String(error) },
        "InternalServerException",
      );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const state: AthenaTestServer = {
    url: `http://127.0.0.1:${port}`,
    region,
    requests,
    get executions() {
      return [...executions.values()];
    },
    allow: () => true,
    presetTable: (database, table, source) =>
      serial(() => createView(database.toLowerCase(), table.toLowerCase(), source, false)),
    tables: () => [...catalog.keys()],
    injectFaults(list) {
      faults.push(...list);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      db.closeSync();
      duck.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return state;
}

/** Athena's wording when IAM refuses an action. */
function notAuthorized(action: string, resource: string): string {
  return `User: ${CALLER} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (m === null) throw new AthenaError("InvalidRequestException", `Invalid S3 location ${url}`);
  return { bucket: m[1], key: m[2] };
}

type Ddl =
  | { kind: "create"; database: string; table: string; source: TableSource }
  | { kind: "drop"; database: string; table: string };

const IDENT = "`((?:[^`]|``)+)`";

/** The Hive DDL the engine sends: CREATE EXTERNAL TABLE (OpenCSVSerde or Parquet) and DROP TABLE. */
function parseDdl(sql: string): Ddl | undefined {
  const unquote = (text: string) => text.replaceAll("``", "`").toLowerCase();
  const drop = new RegExp(`^\\s*DROP TABLE IF EXISTS ${IDENT}\\.${IDENT}\\s*$`, "i").exec(sql);
  if (drop) return { kind: "drop", database: unquote(drop[1]), table: unquote(drop[2]) };
  const create = new RegExp(
    `^\\s*CREATE EXTERNAL TABLE ${IDENT}\\.${IDENT} \\(([\\s\\S]*)\\)\\s+(ROW FORMAT SERDE[\\s\\S]*?|STORED AS PARQUET)\\s+LOCATION '([^']*)'([\\s\\S]*)$`,
    "i",
  ).exec(sql);
  if (!create) return undefined;
  const [, database, table, columnList, storage, location, rest] = create;
  const columns = [...columnList.matchAll(new RegExp(`${IDENT}\\s+(\\w+)`, "g"))].map((m) =>
    m[1].replaceAll("``", "`"),
  );
  const { bucket, key } = parseS3Url(location);
  if (/PARQUET/i.test(storage))
    return {
      kind: "create",
      database: unquote(database),
      table: unquote(table),
      source: { bucket, prefix: key, format: "parquet" },
    };
  const separator = /'separatorChar'\s*=\s*'((?:[^'\\]|\\.)*)'/.exec(storage)?.[1];
  const skip = /'skip\.header\.line\.count'\s*=\s*'(\d+)'/.exec(rest)?.[1];
  return {
    kind: "create",
    database: unquote(database),
    table: unquote(table),
    source: {
      bucket,
      prefix: key,
      format: "csv",
      columns,
      delimiter: separator === "\\t" ? "\t" : separator,
      skipHeader: skip === undefined ? 0 : Number(skip),
    },
  };
}

/** DuckDB's type names as Athena's ColumnInfo spells them. */
function athenaType(duck: string): string {
  if (/^(BIGINT|HUGEINT|UBIGINT)$/.test(duck)) return "bigint";
  if (/^(INTEGER|UINTEGER|USMALLINT)$/.test(duck)) return "integer";
  if (/^(SMALLINT|UTINYINT)$/.test(duck)) return "smallint";
  if (duck === "TINYINT") return "tinyint";
  if (duck === "DOUBLE") return "double";
  if (duck === "FLOAT") return "real";
  if (duck.startsWith("DECIMAL")) return "decimal";
  if (duck === "BOOLEAN") return "boolean";
  if (duck === "DATE") return "date";
  if (duck === "TIMESTAMP WITH TIME ZONE") return "timestamp with time zone";
  if (duck.startsWith("TIMESTAMP")) return "timestamp";
  return "varchar";
}

/** One DuckDB value as Athena's VarCharValue: numbers, booleans and text in their plain form. */
function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  return String(value);
}
