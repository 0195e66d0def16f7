// The definition's `history:` block: where each build's summary is kept (an S3 prefix or a
// local folder; by default a folder beside the output folder), how many runs or days to keep,
// how many runs a KPI sparkline spans, and the thresholds that make a change notable.
// `history: false` turns it off; `history: s3://bucket/prefix/` is short for `location:`.
import { isAbsolute, resolve } from "node:path";
import { type Checker, describe, Fields, quoted } from "./fields.ts";
import { parseS3Url } from "./s3-url.ts";
import type { ChangeThresholds, HistorySpec } from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

const HISTORY_FIELDS = [
  "location",
  "region",
  "endpoint",
  "keep",
  "trend",
  "section",
  "thresholds",
] as const;

/** Threshold names as written in YAML → their field in ChangeThresholds. */
const THRESHOLD_FIELDS = {
  rows: "rows",
  kpi: "kpi",
  shift: "shift",
  mean: "mean",
  quantiles: "quantiles",
  missing: "missing",
  distinct: "distinct",
} as const satisfies Record<string, keyof ChangeThresholds>;
const THRESHOLD_NAMES = Object.keys(THRESHOLD_FIELDS) as (keyof typeof THRESHOLD_FIELDS)[];

/** What counts as notable when the definition says nothing (docs/history.md explains each). */
export const DEFAULT_THRESHOLDS: Readonly<ChangeThresholds> = {
  rows: 0.1,
  kpi: 0.1,
  shift: 0.1,
  mean: 0.25,
  quantiles: 0.25,
  missing: 0.05,
  distinct: 0.2,
};

/** Runs kept when the definition names no `keep:`. */
export const DEFAULT_KEEP_RUNS = 500;
/** Runs a KPI sparkline spans by default. */
export const DEFAULT_TREND_RUNS = 12;

/** The history of a definition without a `history:` block: a folder beside the output. */
export function defaultHistory(): HistorySpec {
  return {
    keepRuns: DEFAULT_KEEP_RUNS,
    trend: DEFAULT_TREND_RUNS,
    autoSection: true,
    thresholds: { ...DEFAULT_THRESHOLDS },
    path: ["history"],
  };
}

const HISTORY_HINT =
  "history:\n  location: s3://my-bucket/report-history/   # or a folder\n  keep: { runs: 100, days: 90 }";

/** Read `history:` (absent: the default folder beside the output; `false`: no history). */
export function readHistory(
  checker: Checker,
  node: YNode | undefined,
  dir: string,
): HistorySpec | undefined {
  const spec = defaultHistory();
  if (node === undefined || (node.kind === "scalar" && node.value === null)) return spec;
  if (node.kind === "scalar") {
    if (node.value === false) return undefined;
    if (typeof node.value !== "string" || node.value === "") {
      return checker.fail(
        node.pos,
        ["history"],
        `expected false, a location or a map, found ${describe(node)}`,
        HISTORY_HINT,
      );
    }
    setLocation(checker, spec, node, node.value, ["history"], dir);
    return spec;
  }
  const fields = new Fields(checker, node, ["history"], HISTORY_FIELDS, HISTORY_HINT);
  const location = fields.text("location");
  if (location !== undefined) {
    setLocation(checker, spec, fields.node("location")!, location, fields.at("location"), dir);
  }
  for (const key of ["region", "endpoint"] as const) {
    const value = fields.text(key);
    if (value === undefined) continue;
    if (spec.s3 === undefined) {
      checker.fail(
        fields.node(key)!.pos,
        fields.at(key),
        `${key} applies only to an s3:// location`,
        "Remove it, or set location: s3://bucket/prefix/.",
      );
    }
    spec.s3[key] = value;
  }
  const keep = fields.node("keep");
  if (keep !== undefined) {
    const k = new Fields(
      checker,
      keep,
      fields.at("keep"),
      ["runs", "days"],
      "keep: { runs: 100, days: 90 }",
    );
    spec.keepRuns = k.integer("runs", 1, 1_000_000) ?? spec.keepRuns;
    const days = k.integer("days", 1, 100_000);
    if (days !== undefined) spec.keepDays = days;
  }
  spec.trend = fields.integer("trend", 0, 1000) ?? spec.trend;
  const section = fields.oneOf("section", ["auto", "off"] as const);
  if (section !== undefined) spec.autoSection = section === "auto";
  const thresholds = fields.node("thresholds");
  if (thresholds !== undefined) {
    const t = new Fields(
      checker,
      thresholds,
      fields.at("thresholds"),
      THRESHOLD_NAMES,
      "thresholds: { rows: 0.2, shift: 0.15 }",
    );
    for (const name of THRESHOLD_NAMES) {
      const value = t.node(name);
      if (value === undefined) continue;
      spec.thresholds[THRESHOLD_FIELDS[name]] = threshold(checker, value, t.at(name));
    }
  }
  return spec;
}

/** A threshold: a number ≥ 0, or a percentage such as `15%`. */
function threshold(checker: Checker, node: YNode, path: readonly (string | number)[]): number {
  const text = node.kind === "scalar" && node.value !== null ? String(node.value).trim() : "";
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text);
  if (node.kind !== "scalar" || typeof node.value === "boolean" || match === null) {
    return checker.fail(
      node.pos,
      path,
      `expected a number of at least 0 (or a percentage such as 15%), found ${describe(node)}`,
      "thresholds: { rows: 0.2, missing: 5% }",
    );
  }
  return Number(match[1]) / (match[2] === "%" ? 100 : 1);
}

function setLocation(
  checker: Checker,
  spec: HistorySpec,
  node: YNode,
  text: string,
  path: readonly (string | number)[],
  dir: string,
): void {
  const url = parseS3Url(text);
  if (url === undefined) {
    spec.folder = isAbsolute(text) ? text : resolve(dir, text);
    return;
  }
  if (url.bucket === "" || url.key !== undefined) {
    checker.fail(
      node.pos,
      path,
      `${quoted(node, text)} is not an S3 prefix: history is kept as one object per run under a prefix`,
      "Write it as s3://bucket/prefix/ (with the trailing slash).",
    );
  }
  spec.s3 = { bucket: url.bucket, prefix: url.prefix ?? "" };
}
