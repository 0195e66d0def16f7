// The definition's `limits:` block (see src/limits.ts): the defaults, raised or lowered by the
// definition, then by CONNECT_S3_REPORT_<NAME> variables, so an operator can raise a limit for
// one run without editing the report.
import { LIMIT_NAMES, type Limits, limitEnvName, limitsFromEnv } from "../limits.ts";
import { type Checker, Fields } from "./fields.ts";
import type { YNode } from "./yaml-tree.ts";

/** Read `limits:` (absent: the defaults) and apply the environment's overrides. */
export function readLimits(
  checker: Checker,
  node: YNode | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Limits {
  const limits = limitsFromEnv(env);
  if (node === undefined) return limits;
  const fields = new Fields(
    checker,
    node,
    ["limits"],
    LIMIT_NAMES,
    "limits: { max_columns: 20000, max_groups: 500000 }",
  );
  for (const name of LIMIT_NAMES) {
    const value = fields.integer(name, 1, Number.MAX_SAFE_INTEGER);
    const fromEnv = env[limitEnvName(name)]?.trim();
    if (value !== undefined && !fromEnv) limits[name] = value;
  }
  return limits;
}
