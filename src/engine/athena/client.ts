// Runs statements in Amazon Athena: StartQueryExecution with a client request token (a retried
// call cannot start a query twice), GetQueryExecution polled with growing pauses, the result
// read page by page with GetQueryResults, and StopQueryExecution when the build is stopped
// (its abort signal) or a query passes the timeout. Credentials are the S3 ones (Connect's
// exchange or the default chain). Each finished query logs its scanned bytes and time, and
// adds them to the build's total: past max_scanned_bytes, the next statement is refused.
import { randomUUID } from "node:crypto";
import type { AthenaClient } from "@aws-sdk/client-athena";
import type { CredentialSource } from "../../aws/credentials.ts";
import type { AthenaSpec, ReportSpec } from "../../config/spec.ts";
import type { Effects } from "../../effects.ts";
import { ReportError } from "../../errors.ts";
import { formatBytes } from "../../format.ts";
import { limitEnvName } from "../../limits.ts";
import { apiFailed, queryFailed, type StatementContext } from "./errors.ts";

/** One result: Athena's column names and types, and the rows (header row left out) as text. */
export interface ResultSet {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
}

/** A statement's outcome: its result (empty for DDL) and what it cost. */
export interface Executed extends ResultSet {
  id: string;
  scannedBytes: number;
  engineMs: number;
}

export interface AthenaSession {
  /**
   * Runs one statement; `label` names it in the log and in errors. A `cleanup` statement (the
   * temporary table's DROP) runs even after the build was stopped or passed max_scanned_bytes.
   */
  run(sql: string, label: string, options?: { cleanup?: boolean }): Promise<Executed>;
  /** Every statement sent, in order (for --verbose and the tests). */
  readonly statements: readonly string[];
  /** Bytes Athena has scanned for this build so far. */
  readonly scannedBytes: number;
  /** The session's AWS credentials, for S3 reads beside it (one Connect exchange per build). */
  readonly credentials: CredentialSource;
}

export interface SessionOptions {
  /** Stops the running query and the build (Ctrl-C). */
  signal?: AbortSignal;
  /** Longest one statement may run before it is stopped; default athena.timeout_seconds. */
  timeoutMs?: number;
  /** The first pause between polls; it doubles up to 2 s. Default 100 ms. */
  pollMs?: number;
  /** Rows per GetQueryResults page (1 to 1000); default 1000. */
  pageSize?: number;
}

const LOG_LOCALE = { locale: "en-US", currency: "USD" } as const;
const MAX_POLL_MS = 2000;
/** athena.timeout_seconds when unset: 30 minutes, Athena's own default limit for a query. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

/** Opens a session against the definition's workgroup (the SDK loads only here). */
export async function openAthenaSession(
  spec: ReportSpec,
  athena: AthenaSpec,
  effects: Effects,
  options: SessionOptions = {},
): Promise<AthenaSession> {
  const [sdk, { selectCredentials }] = await Promise.all([
    import("@aws-sdk/client-athena"),
    import("../../aws/credentials.ts"),
  ]);
  const { env } = effects;
  const region =
    athena.region ??
    spec.source.s3?.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    "us-east-1";
  const endpoint = env.AWS_ENDPOINT_URL_ATHENA || env.AWS_ENDPOINT_URL || undefined;
  const credentials = selectCredentials(effects, { audience: spec.source.audience });
  const client: AthenaClient = new sdk.AthenaClient({
    region,
    endpoint,
    credentials: credentials.provider,
  });
  const statements: string[] = [];
  let scannedBytes = 0;
  const limit = spec.limits.max_scanned_bytes;
  const timeoutMs = options.timeoutMs ?? (athena.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const pageSize = options.pageSize ?? 1000;

  async function run(
    sql: string,
    label: string,
    { cleanup = false }: { cleanup?: boolean } = {},
  ): Promise<Executed> {
    const context: StatementContext = { label, spec, athena };
    // A cleanup statement is not stopped by the build's own stop.
    const signal = cleanup ? undefined : options.signal;
    const call = { abortSignal: signal };
    const send = async <T>(request: () => Promise<T>): Promise<T> => {
      try {
        return await request();
      } catch (error) {
        if (signal?.aborted) throw stoppedError(label);
        throw apiFailed(error, context) ?? error;
      }
    };
    if (scannedBytes > limit && !cleanup) {
      throw new ReportError(
        `Athena has scanned ${formatBytes(scannedBytes, LOG_LOCALE)} for this build, past max_scanned_bytes (${formatBytes(limit, LOG_LOCALE)}): stopped before ${label}.`,
        {
          hint: `Narrow the report (fewer queries, profile: [a, b]), read Parquet partitions, or raise the limit: athena: { max_scanned_bytes: ${limit * 4} } or ${limitEnvName("max_scanned_bytes")}=${limit * 4}.`,
        },
      );
    }
    if (signal?.aborted) throw stoppedError(label);
    statements.push(sql);
    effects.log.verbose(`athena: ${label}: ${sql}`);
    const started = performance.now();
    const { QueryExecutionId: id } = await send(() =>
      client.send(
        new sdk.StartQueryExecutionCommand({
          QueryString: sql,
          ClientRequestToken: randomUUID(),
          WorkGroup: athena.workgroup,
          QueryExecutionContext: { Database: athena.database, Catalog: athena.catalog },
          ...(athena.outputLocation === undefined
            ? {}
            : { ResultConfiguration: { OutputLocation: athena.outputLocation } }),
        }),
      ),
    );
    if (id === undefined) throw new ReportError(`Athena started ${label} but gave no query id`);
    const stop = () =>
      client
        .send(new sdk.StopQueryExecutionCommand({ QueryExecutionId: id }))
        .catch(() => undefined);
    // The start is not aborted half-way (the query might run on unseen): it is stopped instead.
    if (signal?.aborted) {
      await stop();
      throw stoppedError(label);
    }
    let pause = options.pollMs ?? 100;
    for (;;) {
      const { QueryExecution: execution } = await send(() =>
        client.send(new sdk.GetQueryExecutionCommand({ QueryExecutionId: id }), call),
      ).catch(async (error: unknown) => {
        if (signal?.aborted) await stop();
        throw error;
      });
      const state = execution?.Status?.State;
      if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED") {
        const scanned = execution?.Statistics?.DataScannedInBytes ?? 0;
        const engineMs = execution?.Statistics?.EngineExecutionTimeInMillis ?? 0;
        scannedBytes += scanned;
        effects.log.info(
          `athena    ${label.padEnd(40)} ${formatBytes(scanned, LOG_LOCALE).padStart(10)} scanned ${String(engineMs).padStart(7)} ms`,
        );
        if (state !== "SUCCEEDED")
          throw queryFailed(
            execution?.Status?.StateChangeReason ?? "no reason given",
            state,
            context,
          );
        const result =
          execution?.StatementType === "DDL"
            ? { columns: [], rows: [] }
            : await readResults(id, send, call);
        return { ...result, id, scannedBytes: scanned, engineMs };
      }
      if (signal?.aborted || performance.now() - started > timeoutMs) {
        await stop();
        if (signal?.aborted) throw stoppedError(label);
        const seconds = timeoutMs / 1000;
        throw new ReportError(
          `Athena ${label} ran longer than athena.timeout_seconds (${seconds} s) and was stopped.`,
          {
            hint: `Narrow the query (filters, partitions), check the workgroup's load in the Athena console, or allow it longer: athena: { timeout_seconds: ${Math.max(60, Math.ceil(seconds * 2))} }.`,
          },
        );
      }
      await sleep(pause, signal);
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
  }

  async function readResults(
    id: string,
    send: <T>(request: () => Promise<T>) => Promise<T>,
    call: { abortSignal?: AbortSignal },
  ): Promise<ResultSet> {
    let columns: ResultSet["columns"] = [];
    const rows: (string | null)[][] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await send(() =>
        client.send(
          new sdk.GetQueryResultsCommand({
            QueryExecutionId: id,
            NextToken: token,
            MaxResults: pageSize,
          }),
          call,
        ),
      );
      if (first) {
        columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
          name: c.Name ?? "",
          type: (c.Type ?? "varchar").toLowerCase(),
        }));
      }
      const data = (page.ResultSet?.Rows ?? []).map((row) =>
        (row.Data ?? []).map((cell) => cell.VarCharValue ?? null),
      );
      // A SELECT's first page starts with the header row.
      rows.push(...(first ? data.slice(1) : data));
      first = false;
      token = page.NextToken;
    } while (token !== undefined);
    return { columns, rows };
  }

  return {
    run,
    get statements() {
      return statements;
    },
    get scannedBytes() {
      return scannedBytes;
    },
    credentials,
  };
}

function stoppedError(label: string): ReportError {
  return new ReportError(`The build was stopped; the Athena query ${label} was cancelled.`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
