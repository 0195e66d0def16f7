// The config stage: report definition YAML → ReportSpec.
export { closest, editDistance } from "./closest.ts";
export { loadReportSpec, parseReportSpec } from "./load.ts";
export { profileSpec } from "./profile-spec.ts";
export type * from "./spec.ts";
