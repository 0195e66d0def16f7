// The sample report's email, built by the real pipeline: images, markup a mail client can
// take, numbers checked against figures computed here from the CSV itself, and the size budget.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { decode } from "fast-png";
import { type BuildResult, build } from "../src/build.ts";
import { composeEmail } from "../src/email/compose.ts";
import { mimeMessage } from "../src/email/smtp.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

/** The message budget stated in docs/email.md. */
const BUDGET_BYTES = 300 * 1024;
const LINK = "https://connect.example.com/content/0b1c/";

let result: BuildResult;
let out: string;

/** RFC 4180 records (quoted fields may hold commas, line breaks and doubled quotes). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

/** The sample's figures, computed from the CSV without the report's code. */
function sampleFigures() {
  const [names, ...lines] = csvRecords(readFileSync("report/data/orders.csv", "utf8"));
  const col = (name: string) => names.indexOf(name);
  let revenue = 0;
  let revenueCount = 0;
  let returned = 0;
  const byMonth = new Map<string, number>();
  const ordersByMonth = new Map<string, number>();
  for (const f of lines) {
    const orderMonth = f[col("order_date")].slice(0, 7);
    ordersByMonth.set(orderMonth, (ordersByMonth.get(orderMonth) ?? 0) + 1);
    const r = f[col("revenue")];
    if (r !== "" && r !== "NA") {
      revenue += Number(r);
      revenueCount++;
      const month = f[col("order_date")].slice(0, 7);
      byMonth.set(month, (byMonth.get(month) ?? 0) + Number(r));
    }
    if (f[col("returned")] === "true") returned++;
  }
  const months = [...byMonth.keys()].sort();
  const [previous, current] = months.slice(-2).map((m) => byMonth.get(m) ?? 0);
  return {
    // Orders compare months too: the latest month's count.
    orders: ordersByMonth.get(months[months.length - 1]) ?? 0,
    revenue,
    currentRevenue: current,
    previousRevenue: previous,
    mean: revenue / revenueCount,
    returnRate: returned / lines.length,
    change: (current - previous) / previous,
  };
}

before(async () => {
  out = join(mkdtempSync(join(tmpdir(), "email-build-")), "output");
  result = await build({ definition: "report/report.yml", outDir: out }, recordingEffects());
  assertValidSummary(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
});

test("every cid: has an image, each a decodable PNG at 2x the size the HTML gives it", () => {
  const { html, images } = result.email;
  const tags = [...html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(tags.length, 2, "the sample mails two charts");
  const cids = new Set<string>();
  for (const tag of tags) {
    const cid = /src="cid:([^"]+)"/.exec(tag)?.[1];
    assert.ok(cid, tag);
    cids.add(cid);
    const image = images.find((i) => i.cid === cid);
    assert.ok(image, `no image for cid:${cid}`);
    const width = Number(/\swidth="(\d+)"/.exec(tag)?.[1]);
    const height = Number(/\sheight="(\d+)"/.exec(tag)?.[1]);
    assert.ok(width > 0 && width <= 600 && height > 0, tag);
    assert.match(tag, /\salt="[^"]{20,}"/);
    const png = decode(image.png);
    assert.equal(png.width, 2 * width);
    assert.equal(png.height, 2 * height);
    // Opaque white at a corner: legible when a client darkens the message.
    assert.deepEqual([...png.data.subarray(0, png.channels)].slice(0, 3), [255, 255, 255]);
  }
  assert.deepEqual(new Set(images.map((i) => i.cid)), cids);
});

test("no script, SVG, style sheet, web font or external URL besides the report link", () => {
  const message = composeEmail({
    spec: result.spec,
    summary: result.summary,
    now: new Date("2026-01-15T08:00:00Z"),
    images: result.emailImages,
    link: LINK,
  });
  for (const html of [message.html, readFileSync(join(out, "email.html"), "utf8")]) {
    assert.doesNotMatch(html, /<script|<svg|<style|@font-face|url\(|<link\b/i);
  }
  const urls = [...message.html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
  assert.ok(urls.includes(LINK));
  for (const url of urls) assert.ok(url === LINK || url.startsWith("cid:"), url);
  const text = message.text;
  assert.match(text, new RegExp(`Open the full report: ${LINK}`));
});

test("output/email.html inlines the same PNGs as data URLs, and output/email.txt is the text part", () => {
  const html = readFileSync(join(out, "email.html"), "utf8");
  const srcs = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(srcs.length, result.email.images.length);
  for (const [i, src] of srcs.entries()) {
    const data = src.replace(/^data:image\/png;base64,/, "");
    assert.notEqual(data, src);
    assert.deepEqual(new Uint8Array(Buffer.from(data, "base64")), result.email.images[i].png);
  }
  assert.equal(readFileSync(join(out, "email.txt"), "utf8"), result.email.text);
});

test("the text part and the HTML carry the KPI values, the subject fills its placeholders", () => {
  const fig = sampleFigures();
  const usd = (options: Intl.NumberFormatOptions) =>
    new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", ...options });
  // Revenue compares months: it leads with the latest month's figure, the previous beside it.
  const revenue = usd({ notation: "compact", maximumFractionDigits: 1 }).format(fig.currentRevenue);
  const previous = usd({ notation: "compact", maximumFractionDigits: 1 }).format(
    fig.previousRevenue,
  );
  const orders = new Intl.NumberFormat("en-US").format(fig.orders);
  const mean = usd({}).format(fig.mean);
  const rate = new Intl.NumberFormat("en-US", {
    style: "percent",
    maximumFractionDigits: 1,
  }).format(fig.returnRate);
  const change = new Intl.NumberFormat("en-US", {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  }).format(fig.change);
  const { text, html, subject } = result.email;
  assert.match(
    text,
    new RegExp(`  Revenue: \\${revenue} \\(▲ \\${change} .* vs .*: \\${previous}\\)`),
  );
  assert.ok(
    !html.includes(usd({ notation: "compact", maximumFractionDigits: 1 }).format(fig.revenue)),
  );
  assert.match(text, new RegExp(`  Orders: ${orders} `));
  assert.match(text, new RegExp(`  Average order value: \\${mean}\\n`));
  assert.match(text, new RegExp(`  Return rate: ${rate}\\n`));
  for (const figure of [revenue, orders, mean, rate]) assert.ok(html.includes(figure), figure);
  assert.equal(subject, `Sales overview: revenue ${revenue} (${change} on the month)`);
  // Revenue moved more than 10% on the month: the rule sends.
  assert.ok(Math.abs(fig.change) > 0.1);
  assert.equal(result.email.decision.send, true);
  assert.match(result.email.decision.reason, /Revenue change (above|below)/);
});

test(`the whole MIME message of the sample report stays within ${BUDGET_BYTES / 1024} kB`, async () => {
  const bytes = await mimeMessage(result.email, "reports@example.com", ["team@example.com"]);
  assert.ok(bytes.byteLength <= BUDGET_BYTES, `${bytes.byteLength} bytes`);
  // And the budget is not vacuous: the charts are in it.
  assert.ok(bytes.byteLength > result.email.images.reduce((n, i) => n + i.png.byteLength, 0));
});
