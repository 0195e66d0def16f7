// The evaluator's hot loops: arithmetic, comparison and three-valued logic over whole
// Float64Arrays, one loop per operator with no call per row, then one pass for validity
// (a row is missing when an operand is, or the result is not a finite number).
import type { ArithmeticOp, ComparisonOp } from "./ast.ts";
import type { NumberVector } from "./vector.ts";

/** Marks rows missing where `a` or `b` is, or `values` is not finite; zeroes them. */
function finish(
  type: NumberVector["type"],
  values: Float64Array,
  a: NumberVector,
  b: NumberVector | undefined,
): NumberVector {
  const n = values.length;
  const valid = new Uint8Array(n);
  const va = a.valid;
  const vb = b === undefined ? null : b.valid;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if ((va === null || va[i] === 1) && (vb === null || vb[i] === 1) && v - v === 0) {
      valid[i] = 1;
    } else {
      values[i] = 0;
      missing++;
    }
  }
  return { kind: "number", type, values, valid: missing === 0 ? null : valid };
}

/** `a op b` row by row; `/` of integers truncates; division by zero is missing. */
export function arithmetic(
  op: ArithmeticOp,
  a: NumberVector,
  b: NumberVector,
  type: NumberVector["type"],
): NumberVector {
  const x = a.values;
  const y = b.values;
  const n = x.length;
  const out = new Float64Array(n);
  switch (op) {
    case "+":
      for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      break;
    case "-":
      for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      break;
    case "*":
      for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
      break;
    case "/":
      if (type === "integer") {
        for (let i = 0; i < n; i++) out[i] = y[i] === 0 ? Number.NaN : Math.trunc(x[i] / y[i]);
      } else {
        for (let i = 0; i < n; i++) out[i] = y[i] === 0 ? Number.NaN : x[i] / y[i];
      }
      break;
    case "%":
      for (let i = 0; i < n; i++) out[i] = y[i] === 0 ? Number.NaN : x[i] % y[i];
      break;
  }
  return finish(type, out, a, b);
}

/** `a op b` as booleans (0/1), missing where either side is. */
export function compareNumbers(op: ComparisonOp, a: NumberVector, b: NumberVector): NumberVector {
  const x = a.values;
  const y = b.values;
  const n = x.length;
  const out = new Float64Array(n);
  switch (op) {
    case "=":
      for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
      break;
    case "<>":
      for (let i = 0; i < n; i++) out[i] = x[i] !== y[i] ? 1 : 0;
      break;
    case "<":
      for (let i = 0; i < n; i++) out[i] = x[i] < y[i] ? 1 : 0;
      break;
    case "<=":
      for (let i = 0; i < n; i++) out[i] = x[i] <= y[i] ? 1 : 0;
      break;
    case ">":
      for (let i = 0; i < n; i++) out[i] = x[i] > y[i] ? 1 : 0;
      break;
    case ">=":
      for (let i = 0; i < n; i++) out[i] = x[i] >= y[i] ? 1 : 0;
      break;
  }
  return finish("boolean", out, a, b);
}

/** `-a`. */
export function negate(a: NumberVector): NumberVector {
  const x = a.values;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return finish(a.type, out, a, undefined);
}

/** Three-valued `and`: false if either is false, else null if either is null, else true. */
export function and3(a: NumberVector, b: NumberVector): NumberVector {
  return logic(a, b, true);
}

/** Three-valued `or`: true if either is true, else null if either is null, else false. */
export function or3(a: NumberVector, b: NumberVector): NumberVector {
  return logic(a, b, false);
}

function logic(a: NumberVector, b: NumberVector, isAnd: boolean): NumberVector {
  const x = a.values;
  const y = b.values;
  const va = a.valid;
  const vb = b.valid;
  const n = x.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  // The value that decides the result alone: false for and, true for or.
  const decisive = isAnd ? 0 : 1;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const okA = va === null || va[i] === 1;
    const okB = vb === null || vb[i] === 1;
    const p = x[i] !== 0 ? 1 : 0;
    const q = y[i] !== 0 ? 1 : 0;
    if ((okA && p === decisive) || (okB && q === decisive)) {
      values[i] = decisive;
      valid[i] = 1;
    } else if (okA && okB) {
      values[i] = 1 - decisive;
      valid[i] = 1;
    } else {
      missing++;
    }
  }
  return { kind: "number", type: "boolean", values, valid: missing === 0 ? null : valid };
}

/** Three-valued `not`: null stays null. */
export function not3(a: NumberVector): NumberVector {
  const x = a.values;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] === 0 ? 1 : 0;
  return finish("boolean", out, a, undefined);
}
