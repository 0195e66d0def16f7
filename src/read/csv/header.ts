// The header line: which delimiter it uses, and column names that are unique and non-empty.

const CANDIDATES = [",", ";", "\t", "|"];

/**
 * The candidate (`,` `;` tab `|`) that occurs most often outside quotes in the header line;
 * `,` on a tie or when none occurs (a one-column file).
 */
export function sniffDelimiter(headerLine: Uint8Array): string {
  const counts = CANDIDATES.map(() => 0);
  let quoted = false;
  for (const byte of headerLine) {
    if (byte === 0x0a) break;
    if (byte === 0x22) quoted = !quoted;
    else if (!quoted) {
      const index = CANDIDATES.findIndex((candidate) => candidate.charCodeAt(0) === byte);
      if (index >= 0) counts[index]++;
    }
  }
  let best = 0;
  for (let k = 1; k < counts.length; k++) if (counts[k] > counts[best]) best = k;
  return CANDIDATES[best];
}

/** How a delimiter reads in a message. */
export function describeDelimiter(delimiter: string): string {
  return delimiter === "\t" ? "tab" : `"${delimiter}"`;
}

/**
 * Trimmed names, with empty ones named `column_<n>` (1-based position) and repeats suffixed
 * `_2`, `_3`, …; returns a notice per renamed column.
 */
export function uniqueNames(raw: readonly string[]): { names: string[]; notices: string[] } {
  const names: string[] = [];
  const notices: string[] = [];
  const taken = new Set(raw.map((name) => name.trim()));
  const used = new Set<string>();
  // The next suffix to try per repeated name: suffixes below it are taken for good (`used`
  // only grows), so 20,000 repeats of one name cost linear time, not quadratic.
  const nextSuffix = new Map<string, number>();
  raw.forEach((original, index) => {
    const trimmed = original.trim();
    let name = trimmed === "" ? `column_${index + 1}` : trimmed;
    if (used.has(name)) {
      let suffix = nextSuffix.get(name) ?? 2;
      while (used.has(`${name}_${suffix}`) || taken.has(`${name}_${suffix}`)) suffix++;
      nextSuffix.set(name, suffix + 1);
      name = `${name}_${suffix}`;
    }
    used.add(name);
    names.push(name);
    if (trimmed === "")
      notices.push(`column ${index + 1} has no name in the header; it is called "${name}"`);
    else if (name !== trimmed)
      notices.push(`column ${index + 1} repeats the name "${trimmed}"; it is called "${name}"`);
  });
  return { names, notices };
}
