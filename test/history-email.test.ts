// The email and the run history: a send rule with change conditions (`on_change`, or named
// changes such as schema or kpi) and an email that leads with what changed. Two builds over
// data that gains a column between them; the expected change is the one put in.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { simpleParser } from "mailparser";
import { build } from "../src/build.ts";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";
import { CHANGE_KINDS } from "../src/vocabulary.ts";
import { runCli } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "history-email-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const HEAD =
  "title: Mail\nsource: data.csv\nsections:\n  - kpis: [{ label: Orders, value: count() }]\n  - profile: all\n";

test("send rules name changes: on_change, or a list of kinds with schema for the columns", () => {
  const rule = (send: string) =>
    parseReportSpec(`${HEAD}email:\n  send: ${send}\n`, "r.yml", {}).email?.send;
  assert.deepEqual(rule("on_change"), {
    kind: "when",
    conditions: [],
    onAlert: false,
    onChange: [...CHANGE_KINDS],
  });
  assert.deepEqual(rule("[{ on_change: [schema, kpi] }]"), {
    kind: "when",
    conditions: [],
    onAlert: false,
    onChange: ["column_added", "column_removed", "column_retyped", "kpi"],
  });
  assert.throws(
    () => rule("[{ on_change: [shema] }]"),
    (error) =>
      error instanceof ReportError &&
      /^r\.yml:7:24: email\.send\[0\]\.on_change\[0\]: 'shema' is not a change; did you mean 'schema'\?/.test(
        error.message,
      ),
  );
});

const GAINS_A_COLUMN = [
  "id,region\n1,N\n2,S\n3,N\n",
  "id,region,channel\n1,N,web\n2,S,store\n3,N,web\n",
];

async function twoBuilds(send: string, datas = GAINS_A_COLUMN) {
  const folder = await mkdtemp(join(dir, "b-"));
  await writeFile(join(folder, "report.yml"), `${HEAD}email:\n  send: ${send}\n`);
  const results = [];
  let day = 1;
  for (const data of datas) {
    await writeFile(join(folder, "data.csv"), data);
    const now = new Date(`2026-06-0${day++}T06:00:00Z`);
    results.push(
      await build(
        { definition: join(folder, "report.yml"), outDir: join(folder, "output") },
        recordingEffects({ now: () => now }),
      ),
    );
    assertValidSummary(JSON.parse(await readFile(join(folder, "output/summary.json"), "utf8")));
  }
  return { folder, results, text: await readFile(join(folder, "output/email.txt"), "utf8") };
}

test("a new column sends under on_change: [schema], and the email leads with it", async () => {
  const { results, text } = await twoBuilds("[{ on_change: [schema] }]");
  assert.equal(results[0].email.decision.send, false, "the first run has nothing to compare");
  assert.deepEqual(results[1].email.decision, {
    send: true,
    reason: "changed since the last run: column_added",
  });
  const since = text.indexOf("Since the last run");
  assert.ok(since > 0, text);
  assert.ok(text.includes("- New column “channel” (string)."), text);
  assert.ok(since < text.indexOf("Key figures"), "the changes come before the KPIs");
});

test("a rule on KPI moves does not send for a schema change", async () => {
  const { results } = await twoBuilds("[{ on_change: kpi }]");
  assert.deepEqual(results[1].email.decision, {
    send: false,
    reason: "no condition holds (on_change: kpi)",
  });
});

/** `notify --dry-run` on the built output of `folder`: its log, and the message it wrote. */
async function notifyDryRun(folder: string) {
  const eml = join(folder, "email.eml");
  const run = await runCli(
    [
      "notify",
      join(folder, "report.yml"),
      "--dir",
      join(folder, "output"),
      "--url",
      "https://connect.example.com/content/4f1e/",
      "--to",
      "team@example.com",
      "--dry-run",
      "--eml",
      eml,
    ],
    { SMTP_FROM: "Reports <reports@example.com>" },
  );
  const mail = await readFile(eml).then(
    (bytes) => simpleParser(bytes),
    () => undefined,
  );
  return { run, mail };
}

test("notify reads the build's history: after a new column, on_change sends and the mail leads with it", async () => {
  const { folder } = await twoBuilds("on_change");
  const { run, mail } = await notifyDryRun(folder);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(mail?.text, `a message was written:\n${run.stderr}`);
  const since = mail.text.indexOf("Since the last run");
  assert.ok(since >= 0, mail.text);
  assert.ok(mail.text.includes("- New column “channel” (string)."), mail.text);
  assert.ok(since < mail.text.indexOf("Key figures"), "the changes come before the KPIs");
});

test("notify after two builds of the same data: on_change holds nothing, not sent, exit 0", async () => {
  const same = "id,region\n1,N\n2,S\n3,N\n";
  const { folder } = await twoBuilds("on_change", [same, same]);
  const { run, mail } = await notifyDryRun(folder);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^not sent: no condition holds \(on_change: /m);
  assert.equal(mail, undefined, "no message is written");
});
