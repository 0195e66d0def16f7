// The local engine: the data read into this process as an Arrow table and summarized by
// src/summarize (the reference the Athena engine is checked against). The build reads the
// table itself (its source and read stages); this is the engine's entry point beside
// src/engine/athena/index.ts.
export { type SummarizeOptions, summarize as summarizeLocally } from "../../summarize/index.ts";
