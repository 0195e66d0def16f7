// The module hooks record-modules.mjs registers: append each resolved URL to a file.
import { appendFileSync } from "node:fs";

let out = "";

/** Receives the output file from register(). */
export function initialize(data) {
  out = data.out;
}

/** Resolves as usual, then records the resolved URL. */
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, `${result.url}\n`);
  return result;
}
