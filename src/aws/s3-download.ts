// The bytes of one S3 object, exactly: one GET for small objects, parallel byte ranges for
// large ones. What a network read announced is what it must deliver: every answer is checked
// against the bytes asked for (HeadObject's size, the range, Content-Length and
// Content-Range); an answer that ends early, drops or stalls is resumed from the last byte
// received with a ranged GET carrying If-Match on the ETag (so a replaced object is never
// stitched together); an answer that runs long is cut off at once; and one deadline
// (limit download_timeout_seconds) bounds the whole object, resumes included.
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { ReportError } from "../errors.ts";
import { limitExceeded } from "../limits.ts";
import { objectChangedError, type S3Access, type S3ObjectInfo, s3Url } from "./s3.ts";

/** A GetObject body as the SDK gives it on Node and Deno: an async byte stream. */
type Body = AsyncIterable<Uint8Array> & { destroy?(error?: Error): void };

interface GetObjectAnswer {
  Body?: Body;
  ContentLength?: number;
  ContentRange?: string;
  ETag?: string;
}

/** One object being downloaded: what every request of it shares. */
interface ObjectDownload {
  access: S3Access;
  info: S3ObjectInfo;
  label: string;
  /** Fires at the deadline (its reason is the error to show) or when the reader stops. */
  signal: AbortSignal;
  /** Bytes of the object received so far, all parts together. */
  received: number;
}

/** Why an answer stopped before its last byte: the transient faults worth a resume. */
type Fault = { bytes: number; expected: number } & (
  | { kind: "ended"; announced?: number }
  | { kind: "dropped"; cause: unknown }
  | { kind: "stalled"; cause?: unknown }
);

/** A body that sent nothing for the idle timeout. */
class Stalled extends Error {}

/**
 * The object's bytes, in order. Objects up to one part take a single streamed GET; larger
 * ones take parallel ranged GETs, at most `concurrency` in flight, each yielded in turn.
 */
export async function* s3ObjectBody(
  access: S3Access,
  info: S3ObjectInfo,
): AsyncGenerator<Uint8Array> {
  const { partSize, concurrency, downloadTimeoutSeconds } = access.options;
  const started = Date.now();
  const label = s3Url(access.bucket, info.key);
  const controller = new AbortController();
  const download: ObjectDownload = {
    access,
    info,
    label,
    signal: controller.signal,
    received: 0,
  };
  const deadline = setTimeout(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    controller.abort(
      limitExceeded(
        "download_timeout_seconds",
        downloadTimeoutSeconds,
        `Downloading ${label} (${download.received} of ${info.size} bytes received in ${seconds} s)`,
      ),
    );
  }, downloadTimeoutSeconds * 1000);
  // A reader that walks away without closing the stream must not keep the process alive.
  (deadline as { unref?: () => void }).unref?.();
  try {
    if (info.size <= partSize || concurrency <= 1) {
      access.log?.verbose(`S3 GET ${label} (${info.size} bytes, one request)`);
      yield* streamSpan(download, 0, info.size - 1, true);
    } else {
      const parts = Math.ceil(info.size / partSize);
      access.log?.verbose(
        `S3 GET ${label} (${info.size} bytes) in ${parts} ranges of ${partSize} bytes, ${concurrency} at a time`,
      );
      const inFlight: Promise<Uint8Array>[] = [];
      let next = 0;
      const startNext = () => {
        const start = next * partSize;
        const end = Math.min(info.size, start + partSize) - 1;
        next++;
        const part = collectSpan(download, start, end);
        // Awaited in order later; a handler now keeps an early failure from being "unhandled".
        part.catch(() => {});
        inFlight.push(part);
      };
      while (inFlight.length < concurrency && next < parts) startNext();
      while (inFlight.length) {
        const part = inFlight.shift() as Promise<Uint8Array>;
        if (next < parts) startNext();
        yield await part;
      }
    }
    access.log?.verbose(`S3 read ${label} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
  } finally {
    clearTimeout(deadline);
    // Stops the requests still in flight when the reader stops early or a part failed.
    if (!controller.signal.aborted) controller.abort(new Error("download stopped"));
  }
}

/** Bytes start…end (inclusive) of the object in one buffer, resumed as needed. */
async function collectSpan(download: ObjectDownload, start: number, end: number) {
  const bytes = new Uint8Array(end - start + 1);
  let offset = 0;
  for await (const chunk of streamSpan(download, start, end, false)) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Bytes start…end (inclusive) as they arrive. `whole` asks for the whole object without a
 * Range header first; every resume asks for the rest by range. Answers are resumed as long
 * as they bring new bytes; `maxAttempts` answers in a row that bring none end the download.
 */
async function* streamSpan(
  download: ObjectDownload,
  start: number,
  end: number,
  whole: boolean,
): AsyncGenerator<Uint8Array> {
  const { access, info, label } = download;
  const { maxAttempts, timeoutMs } = access.options;
  let offset = start;
  let fruitless = 0;
  for (let first = true; first || offset <= end; first = false) {
    const ranged = !(whole && first);
    const answer = await getObject(download, ranged ? offset : undefined, end);
    const expected = end - offset + 1;
    const body = answer.Body;
    checkAnswer(download, answer, ranged ? offset : undefined, expected);
    let got = 0;
    let fault: Fault | undefined;
    let complete = false;
    try {
      const chunks = body?.[Symbol.asyncIterator]();
      while (chunks) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await within(chunks.next(), timeoutMs, download.signal);
        } catch (error) {
          if (download.signal.aborted) throw download.signal.reason;
          fault = isStall(error)
            ? {
                kind: "stalled",
                bytes: got,
                expected,
                cause: error instanceof Stalled ? undefined : error,
              }
            : { kind: "dropped", bytes: got, expected, cause: error };
          break;
        }
        if (next.done) {
          complete = got === expected;
          break;
        }
        const chunk = next.value;
        if (got + chunk.length > expected) {
          throw new ReportError(
            `S3 sent more than the ${expected} bytes asked for (${spanText(offset, end, ranged)}) of ${label}; stopped reading`,
            {
              hint: `The endpoint (${access.endpointLabel}) sent a longer body than the object's size from HeadObject (${info.size} bytes); check the endpoint or the proxy in front of it.`,
            },
          );
        }
        got += chunk.length;
        offset += chunk.length;
        download.received += chunk.length;
        yield chunk;
      }
    } finally {
      // Ends the connection of an answer left unread (an error, or a reader that stopped).
      if (!complete) body?.destroy?.();
    }
    if (!fault && got < expected)
      fault = { kind: "ended", bytes: got, expected, announced: answer.ContentLength };
    if (!fault) return;
    fruitless = got > 0 ? 0 : fruitless + 1;
    const cause = faultText(fault, access.options.timeoutMs);
    if (fruitless >= maxAttempts) {
      throw new ReportError(
        `Reading ${label} failed: ${cause}, ${fruitless} time${fruitless === 1 ? "" : "s"} in a row (${download.received} of ${info.size} bytes received)`,
        {
          hint: `Check the network and the endpoint (${access.endpointLabel}). Each answer that stops early is resumed from the last byte received; raise the attempts with S3_MAX_ATTEMPTS${fault.kind === "stalled" ? " or the wait with S3_TIMEOUT_SECONDS" : ""}.`,
          cause: "cause" in fault ? fault.cause : undefined,
        },
      );
    }
    access.log?.verbose(
      `S3 GET ${label}: ${cause}; resuming from byte ${offset}${fruitless ? ` (${fruitless} of ${maxAttempts} answers in a row without new bytes)` : ""}`,
    );
    await pause(Math.min(2000, 100 * 2 ** fruitless), download.signal);
  }
}

/** GetObject of bytes from…end, or of the whole object when `from` is undefined. */
function getObject(download: ObjectDownload, from: number | undefined, end: number) {
  const { access, info } = download;
  return access.send<GetObjectAnswer>(
    () =>
      new GetObjectCommand({
        Bucket: access.bucket,
        Key: info.key,
        Range: from === undefined ? undefined : `bytes=${from}-${end}`,
        IfMatch: info.etag,
      }),
    { action: "s3:GetObject", name: "GetObject", key: info.key },
    { abortSignal: download.signal },
  );
}

/**
 * Refuse an answer that cannot be the bytes asked for before reading it: another ETag, a
 * range other than the one asked, or more bytes announced than asked for.
 */
function checkAnswer(
  download: ObjectDownload,
  answer: GetObjectAnswer,
  from: number | undefined,
  expected: number,
) {
  const { access, info, label } = download;
  const refuse = (error: ReportError) => {
    answer.Body?.destroy?.();
    throw error;
  };
  if (info.etag && answer.ETag && answer.ETag !== info.etag) refuse(objectChangedError(label));
  if (from !== undefined) {
    const start = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(answer.ContentRange ?? "")?.[1];
    if (start === undefined || Number(start) !== from) {
      refuse(
        new ReportError(
          `S3 answered a request for bytes ${from}-${from + expected - 1} of ${label} with ${answer.ContentRange ? `bytes ${answer.ContentRange}` : "the whole object"}`,
          {
            hint: `The endpoint (${access.endpointLabel}) may not support byte ranges; set S3_CONCURRENCY=1 to download in one request.`,
          },
        ),
      );
    }
  }
  if (answer.ContentLength !== undefined && answer.ContentLength > expected) {
    refuse(
      new ReportError(
        `S3 announced ${answer.ContentLength} bytes for ${from === undefined ? "the whole object" : `bytes ${from}-${from + expected - 1}`} of ${label}, more than the ${expected} asked for; stopped reading`,
        {
          hint: `HeadObject said the object has ${info.size} bytes; check the endpoint (${access.endpointLabel}) or the proxy in front of it.`,
        },
      ),
    );
  }
}

/** What happened to an answer, in the words of the message. */
function faultText(fault: Fault, timeoutMs: number): string {
  const of = `${fault.bytes} of the ${fault.expected} bytes asked for`;
  switch (fault.kind) {
    case "ended":
      return `S3 sent ${of}${fault.announced === undefined ? "" : ` (its Content-Length said ${fault.announced})`}`;
    case "dropped":
      return `the connection dropped after ${of} (${(fault.cause as Error)?.message ?? fault.cause})`;
    case "stalled":
      return `no data for ${timeoutMs / 1000} s after ${of}`;
  }
}

const spanText = (from: number, end: number, ranged: boolean) =>
  ranged ? `bytes ${from}-${end}` : "the whole object";

/**
 * A body that sent nothing for the idle timeout: ours, or the SDK's socket timeout (a
 * TimeoutError without a code; the SDK gives a reset connection that name too, with its code).
 */
function isStall(error: unknown): boolean {
  if (error instanceof Stalled) return true;
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === "TimeoutError" && code === undefined;
}

/** `promise`, unless `ms` pass first (Stalled) or `signal` fires first (its reason). */
function within<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      settle();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Stalled());
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error) => {
        settle();
        reject(error);
      },
    );
  });
}

/** Wait `ms` before a resume, or throw the signal's reason if it fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
  });
}
