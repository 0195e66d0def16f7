// biome-ignore-all lint/suspicious/noControlCharactersInRegex: escapes and control characters are what this file removes
// Text that a Connect server (or a proxy in front of it) sends back, made safe to put in a
// message or on the terminal. Error bodies and task logs are the server's words, but a proxy
// that echoes the request would put the API key or the subject token in them, and escape
// sequences in a deploy log would drive the user's terminal. So every place that quotes a
// server goes through `serverText`: escapes and control characters removed, the secrets the
// client sent and anything shaped like a token redacted, and the length capped.

export interface ServerTextOptions {
  /** Values the client sent that must never be shown (API key, subject token, cookies). */
  secrets?: readonly string[];
  /** Longest result, "…" included; default 300 characters. */
  maxChars?: number;
}

/** What replaces a secret or a token-shaped run. */
export const REDACTED = "[redacted]";

const ESCAPES =
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[ -/]*[0-~]?/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;
/** A JWT: base64url JSON header `eyJ…`, a dot, the payload and (usually) a signature. */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
/** A run of 32 or more hex digits (hashes, keys). */
const HEX_RUN = /(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])/g;
/** A run of base64 characters long enough to be a key; redacted when it mixes cases and digits. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

function looksRandom(run: string): boolean {
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run);
}

/** The ways a value may appear when echoed: as is, URL-encoded, form-encoded. */
function spellings(secret: string): string[] {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [...new Set([secret, encodeURIComponent(secret), form])];
}

/** Server text safe for a message: one line, no escapes, no secrets, at most `maxChars`. */
export function serverText(text: string, options: ServerTextOptions = {}): string {
  const maxChars = options.maxChars ?? 300;
  let out = text.replace(ESCAPES, "");
  const secrets = (options.secrets ?? [])
    .filter((s) => s.length >= 4)
    .flatMap(spellings)
    .sort((a, b) => b.length - a.length);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  out = out
    .replace(JWT, REDACTED)
    .replace(HEX_RUN, REDACTED)
    .replace(BASE64_RUN, (run) => (looksRandom(run) ? REDACTED : run))
    .replace(CONTROLS, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
  return out.length <= maxChars ? out : `${out.slice(0, maxChars - 1).trimEnd()}…`;
}
