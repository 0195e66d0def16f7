// Reading a report definition file: YAML with positions → env substitution → ReportSpec.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ReportError } from "../errors.ts";
import type { ReportSpec } from "./spec.ts";
import { buildSpec } from "./validate.ts";
import { parseYamlTree } from "./yaml-tree.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Read, substitute `${VAR}` from env, and validate a report definition file. */
export async function loadReportSpec(file: string, env: Env): Promise<ReportSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportError(
      code === "ENOENT"
        ? `Report definition not found: ${file}`
        : `Cannot read report definition ${file}: ${code ?? String(error)}`,
      {
        hint: "Pass the path of a report definition, e.g. report/report.yml, or use --source <file> for a profile.",
        cause: error,
      },
    );
  }
  return parseReportSpec(text, file, env);
}

/** Validate definition text; `file` names it in messages and anchors its relative paths. */
export function parseReportSpec(text: string, file: string, env: Env): ReportSpec {
  return buildSpec(parseYamlTree(text, file, env), file, resolve(file), env);
}
