// Problems in the definition that only the data can reveal (unknown columns, wrong types in
// expressions), gathered over the whole summarize stage so that `check` and `build` report
// every one in a single run, as they do for the definition's own shape (config/fields.ts).
// Each unit (a derived column, a section's column, a query, a KPI) fails on its own; a derived
// column that failed is remembered, so units that use it add no second error for it.
import { combinedError, type DefinitionProblem } from "../config/fields.ts";
import type { ReportSpec } from "../config/spec.ts";
import { ReportError } from "../errors.ts";
import { definitionProblem } from "./spec-error.ts";

/**
 * Several problems thrown as one error (the message lists them all) that a DefinitionProblems
 * collecting around it takes apart again: a query with two wrong columns adds two problems.
 */
class DefinitionProblemsError extends ReportError {
  constructor(
    combined: ReportError,
    readonly problems: readonly DefinitionProblem[],
  ) {
    super(combined.message, { hint: combined.hint });
  }
}

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
      const found =
        error instanceof DefinitionProblemsError ? error.problems : [definitionProblem(error)];
      if (!found.every((problem): problem is DefinitionProblem => problem !== undefined)) {
        throw error;
      }
      if (column !== undefined) this.brokenColumns.add(column);
      for (const problem of found) {
        if (!this.aboutBrokenColumn(problem.error.message)) this.problems.push(problem);
      }
      return undefined;
    }
  }

  /** Keep `error`, a definition error that a check found rather than a unit threw. */
  keep(error: ReportError): void {
    this.attempt(() => {
      throw error;
    });
  }

  /**
   * Throw every problem kept so far, if any, as one error sorted by position (an `attempt`
   * around this one's unit takes them apart again).
   */
  finish(): void {
    const file = this.spec.locate([])?.file ?? this.spec.file ?? "report definition";
    const error = combinedError(file, this.problems);
    if (error === undefined) return;
    throw this.problems.length === 1 ? error : new DefinitionProblemsError(error, this.problems);
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
