// The benchmark's input: a deterministic 1M-row, 8-column CSV (about 64 MB) shaped like the
// one measured in docs/design/js-stack.md §1, so figures stay comparable with those notes.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { mulberry32 } from "../scripts/seeded-random.ts";

const CITIES = [
  "Berlin",
  "Paris",
  "New York",
  "Tokyo",
  "São Paulo",
  '"Portland, OR"',
  '"Washington, D.C."',
  "Toronto",
  '"The ""Big"" Apple"',
  "Sydney",
];
const CATEGORIES = Array.from({ length: 50 }, (_, k) => `category_${String(k).padStart(2, "0")}`);
const DAY_MS = 86_400_000;
const START_DAY = Date.UTC(2020, 0, 1) / DAY_MS;

/** Writes `rows` rows to `path` (via a temporary file, so a cut-short run leaves nothing). */
export function generateBenchCsv(path: string, rows = 1_000_000, seed = 42): void {
  mkdirSync(dirname(path), { recursive: true });
  const random = mulberry32(seed);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w");
  let text = "id,user_id,qty,price,score,category,city,event_date\n";
  for (let id = 1; id <= rows; id++) {
    const userId = 1 + Math.floor(random() * 200_000);
    const qty = random() < 0.03 ? "" : String(1 + Math.floor(random() * 50));
    const price = (Math.floor(random() * 100_000) / 100).toFixed(2);
    const score = random() < 0.05 ? "" : (random() * 100).toFixed(3);
    // Skewed: low category numbers are much more frequent.
    const category = CATEGORIES[Math.floor(50 * random() ** 2)];
    const city = random() < 0.02 ? "" : CITIES[Math.floor(random() * CITIES.length)];
    const date = new Date((START_DAY + Math.floor(random() * 1826)) * DAY_MS)
      .toISOString()
      .slice(0, 10);
    text += `${id},${userId},${qty},${price},${score},${category},${city},${date}\n`;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = "";
    }
  }
  writeSync(fd, text);
  closeSync(fd);
  renameSync(temporary, path);
}

/** Generates the file unless it exists already. */
export function ensureBenchCsv(path: string, rows?: number): void {
  if (!existsSync(path)) generateBenchCsv(path, rows);
}
