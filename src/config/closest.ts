// "Did you mean" suggestions live in src/closest.ts, below the expression language that uses
// them too; this keeps the config layer's imports as they were.
export { closest, didYouMean, editDistance } from "../closest.ts";
