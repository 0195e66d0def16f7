// The report made when `build --source <file>` is given without a definition: a profile.

import { basename, resolve } from "node:path";
import { parseExpr } from "../expr/parse.ts";
import { limitsFromEnv } from "../limits.ts";
import { defaultHistory } from "./history.ts";
import { parseS3Url } from "./s3-url.ts";
import type { ReportSpec, SourceSpec } from "./spec.ts";

/** A profile-only report of a local file or an s3://bucket/key URL. */
export function profileSpec(
  sourcePath: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ReportSpec {
  const url = parseS3Url(sourcePath);
  const source: SourceSpec = { csv: {} };
  if (url !== undefined) {
    source.s3 = { ...url };
    if (env.AWS_REGION) source.s3.region = env.AWS_REGION;
  } else {
    source.file = resolve(sourcePath);
  }
  const name =
    basename(url?.key ?? url?.prefix?.replace(/\/+$/, "") ?? sourcePath) ||
    (url?.bucket ?? sourcePath);
  const kpiPath = ["sections", 0, "kpis", 0];
  return {
    title: name,
    source,
    columns: [],
    queries: {},
    sections: [
      {
        kind: "kpis",
        kpis: [
          {
            label: "Rows",
            measure: {
              name: "Rows",
              ast: parseExpr("count()"),
              op: "count",
              expr: "count()",
              path: [...kpiPath, "value"],
            },
            format: "integer",
            filter: [],
            path: kpiPath,
          },
        ],
        path: ["sections", 0],
      },
      { kind: "profile", columns: "all", path: ["sections", 1] },
    ],
    locale: "en-US",
    currency: "USD",
    limits: limitsFromEnv(env),
    history: defaultHistory(),
    file: "",
    locate: () => undefined,
  };
}
