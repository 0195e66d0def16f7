// Expression evaluation speed over 1,000,000 rows (src/expr/eval.ts): a filter on a number
// and a text column, a derived column of arithmetic, a text function per label, and a
// measure expression over 50 groups. Run: node --import tsx bench/expr.ts
import { mulberry32 } from "../scripts/seeded-random.ts";
import { checkCondition, checkExpr } from "../src/expr/check.ts";
import { evaluate, selectWhere } from "../src/expr/eval.ts";
import { parseExpr } from "../src/expr/parse.ts";
import { numberVector, textVector, type Vector } from "../src/expr/vector.ts";

const N = 1_000_000;
const random = mulberry32(7);
const labels = Array.from({ length: 50 }, (_, i) => `category ${i}`);
const columns: Record<string, Vector> = {
  x: numberVector("float", N, () => (random() < 0.05 ? null : random() * 100)),
  y: numberVector("float", N, () => random() * 10),
  qty: numberVector("integer", N, () => Math.floor(random() * 20)),
  category: textVector(N, () => labels[Math.floor(random() * labels.length)]),
};
const infos = [
  { name: "x", type: "float" as const },
  { name: "y", type: "float" as const },
  { name: "qty", type: "integer" as const },
  { name: "category", type: "string" as const },
];
const frame = { length: N, column: (name: string) => columns[name] };

function time(label: string, run: () => unknown): void {
  run();
  const runs = 5;
  const start = performance.now();
  for (let i = 0; i < runs; i++) run();
  const ms = (performance.now() - start) / runs;
  console.log(
    `${label.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms  (${(((N / ms) * 1000) / 1e6).toFixed(1)} M rows/s)`,
  );
}

const filter = checkCondition(
  parseExpr("x > 50 and category in ('category 1', 'category 2') or qty = 3"),
  infos,
);
time("filter: x > 50 and category in (…) or qty = 3", () => selectWhere(filter, frame));
const derived = checkExpr(parseExpr("x * 2 + y / (qty + 1)"), infos, "row");
time("derived: x * 2 + y / (qty + 1)", () => evaluate(derived, frame));
const text = checkExpr(parseExpr("upper(category) || '!'"), infos, "row");
time("text: upper(category) || '!'", () => evaluate(text, frame));
const like = checkCondition(parseExpr("category like '%1%'"), infos);
time("like: category like '%1%' (per label)", () => selectWhere(like, frame));
const cases = checkExpr(
  parseExpr("case when x > 90 then 'high' when x > 10 then 'mid' else 'low' end"),
  infos,
  "row",
);
time("case when … then 'high' … end", () => evaluate(cases, frame));
