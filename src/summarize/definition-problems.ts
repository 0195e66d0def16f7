// Problems in the definition that only the data can reveal (unknown columns, wrong types in
// expressions), gathered over the whole summarize stage so that `check` and `build` report
// every one in a single run, as they do for the definition's own shape (config/fields.ts).
// Each unit (a derived column, a section's column, a query, a KPI) fails on its own; a derived
// column that failed is remembered, so units that use it add no second error for it.
import { combinedError, type DefinitionProblem } from "../config/fields.ts";
import type { ReportSpec } from "../config/spec.ts";
import { definitionProblem } from "./spec-error.ts";

/** Collects definition problems while summarizing; `finish` throws them together. */
export class DefinitionProblems {
  private readonly problems: DefinitionProblem[] = [];
  private readonly brokenColumns = new Set<string>();

  constructor(private readonly spec: ReportSpec) {}

  /**
   * Run `unit`; a definition error it raises is kept and undefined returned (any other error
   * is thrown). `column` names the derived column the unit computes, if it does.
   */
  attempt<T>(unit: () => T, column?: string): T | undefined {
    try {
      return unit();
    } catch (error) {
      const problem = definitionProblem(error);
      if (problem === undefined) throw error;
      if (column !== undefined) this.brokenColumns.add(column);
      if (!this.aboutBrokenColumn(problem.error.message)) this.problems.push(problem);
      return undefined;
    }
  }

  /** Throw every problem kept so far, as one error sorted by position. */
  finish(): void {
    const file = this.spec.locate([])?.file ?? this.spec.file ?? "report definition";
    const error = combinedError(file, this.problems);
    if (error !== undefined) throw error;
  }

  /** Whether a message only says that a derived column that already failed is missing. */
  private aboutBrokenColumn(message: string): boolean {
    const firstLine = message.split("\n")[0];
    for (const name of this.brokenColumns) {
      if (firstLine.includes(`column '${name}'`)) return true;
    }
    return false;
  }
}
