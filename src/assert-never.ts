// The default branch of every switch over a closed list (src/vocabulary.ts): the argument's
// type is `never` only while every member has its case, so a member added to the list without
// a case here fails the typecheck at the call, and reaching it at run time is a bug.

/** Exhaustiveness check for a switch's default branch; throws if ever reached. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
