// `notify` end to end: the CLI (main, in-process) sends the report's email through a real SMTP server
// (smtp-server, started here on 127.0.0.1 with AUTH over STARTTLS and a self-signed
// certificate made for this run), and an independent parser (mailparser) reads what arrived.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { decode } from "fast-png";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { build } from "../src/build.ts";
import { runCli } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

const USER = "reporter";
const PASSWORD = "s3cret-smtp-pass-51d0";
const FROM = "Reports <reports@example.com>";
const URL_ = "https://connect.example.com/content/4f1e/";
const DEFINITION = resolve("test/input/email/report.yml");
// The six orders: 120.50 + 80 + 45.25 + 300 + 10 + 99.99, worked out by hand.
const REVENUE = "$655.74";

interface Received {
  raw: Buffer;
  secure: boolean;
  user: unknown;
  to: string[];
}

let work: string;
let outDir: string;
let caFile: string;
let server: SMTPServer;
let port: number;
const received: Received[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), "notify-"));
  const key = join(work, "key.pem");
  caFile = join(work, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      // An EC key: made in milliseconds, where RSA 2048 takes a quarter of a CPU second.
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      caFile,
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  server = new SMTPServer({
    key: readFileSync(key),
    cert: readFileSync(caFile),
    authMethods: ["PLAIN", "LOGIN"],
    // AUTH only after STARTTLS (smtp-server's default), so a sent message proves the upgrade.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as { port: number }).port;
  // The built report whose summary.json notify mails.
  outDir = join(work, "output");
  await build({ definition: DEFINITION, outDir }, recordingEffects());
  assertValidSummary(JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")));
});

after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function smtpEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(port),
    SMTP_SECURE: "starttls",
    SMTP_USERNAME: USER,
    SMTP_PASSWORD: PASSWORD,
    SMTP_FROM: FROM,
    // Trust the certificate made above, as a user would trust a private CA.
    SMTP_CA_FILE: caFile,
    ...overrides,
  };
}

/** A copy of the definition with another send rule. */
function withSend(send: string): string {
  const text = readFileSync(DEFINITION, "utf8")
    .replace(
      "source: ../publish/rendered/data/orders.csv",
      `source: ${resolve("test/input/publish/rendered/data/orders.csv")}`,
    )
    .replace("  send: always", `  send: ${send}`);
  const path = join(mkdtempSync(join(work, "def-")), "report.yml");
  writeFileSync(path, text);
  return path;
}

function notify(definition: string, extra: string[] = [], env = smtpEnv()) {
  return runCli(
    [
      "notify",
      definition,
      "--dir",
      outDir,
      "--url",
      URL_,
      "--to",
      "team@example.com,boss@example.com",
      ...extra,
    ],
    env,
  );
}

/** The message checks every delivered or written copy must pass. */
function checkMessage(mail: ParsedMail): void {
  assert.equal(mail.subject, `Regional orders: revenue ${REVENUE} from 6 orders`);
  assert.equal(mail.from?.text, '"Reports" <reports@example.com>');
  assert.ok(mail.text, "a plain-text part");
  assert.match(mail.text, new RegExp(`Revenue: \\${REVENUE}`));
  assert.match(mail.text, /Orders: 6\n/);
  assert.match(mail.text, new RegExp(`Open the full report: ${URL_}`));
  assert.ok(typeof mail.html === "string", "an HTML part");
  assert.match(mail.html, new RegExp(`<a href="${URL_}"[^>]*>Open the full report</a>`));
  // Every cid: in the HTML is an inline PNG part with that Content-ID, and nothing else rides along.
  const cids = [...mail.html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(cids, ["chart-2.png"]);
  assert.equal(mail.attachments.length, cids.length);
  for (const cid of cids) {
    const part = mail.attachments.find((a) => a.contentId === `<${cid}>`);
    assert.ok(part, `no part with Content-ID <${cid}>`);
    assert.equal(part.contentType, "image/png");
    assert.equal(part.contentDisposition, "inline");
    const png = decode(part.content);
    const tag = new RegExp(`src="cid:${cid}" width="(\\d+)" height="(\\d+)"`).exec(mail.html);
    assert.ok(tag);
    assert.equal(png.width, 2 * Number(tag[1]));
    assert.equal(png.height, 2 * Number(tag[2]));
  }
}

describe("notify over SMTP", () => {
  test("sends over STARTTLS with AUTH: subject, both parts, inline images, the link", async () => {
    const before = received.length;
    const run = await notify(DEFINITION);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /sent "Regional orders: revenue \$655\.74 from 6 orders" \(\d+\.\d kB\) to team@example\.com, boss@example\.com/,
    );
    assert.equal(received.length, before + 1);
    const got = received.at(-1)!;
    assert.equal(got.secure, true, "STARTTLS was used");
    assert.equal(got.user, USER);
    assert.deepEqual(got.to, ["team@example.com", "boss@example.com"]);
    checkMessage(await simpleParser(got.raw, { keepCidLinks: true }));
    assert.ok(!got.raw.includes(PASSWORD));
  });

  test("a wrong password fails with a clear message that does not contain it", async () => {
    const before = received.length;
    const wrong = "not-the-password-9c2e";
    const run = await notify(DEFINITION, [], smtpEnv({ SMTP_PASSWORD: wrong }));
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`error: The SMTP server 127\\.0\\.0\\.1:${port} refused the login of 'reporter'`),
    );
    assert.match(run.stderr, /hint: Check SMTP_USERNAME and SMTP_PASSWORD/);
    for (const secret of [wrong, PASSWORD]) {
      assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret));
    }
    assert.equal(received.length, before);
  });

  test("--dry-run writes the same message as an .eml file and sends nothing", async () => {
    const before = received.length;
    const eml = join(work, "dry.eml");
    const run = await notify(DEFINITION, ["--dry-run", "--eml", eml], { SMTP_FROM: FROM });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /dry run: wrote .*dry\.eml/);
    checkMessage(await simpleParser(readFileSync(eml), { keepCidLinks: true }));
    assert.equal(received.length, before);
  });
});

describe("notify follows the send rule", () => {
  const cases: [string, string, RegExp | undefined][] = [
    ["a KPI condition that holds sends", "[{ kpi: Revenue, below: 1000 }]", undefined],
    [
      "a KPI condition that does not hold is not sent",
      "[{ kpi: Revenue, above: 1000 }]",
      /^not sent: no condition holds \(Revenue above 1000\)$/m,
    ],
    ["a row count of zero sends", "[{ query: refunds, rows_equals: 0 }]", undefined],
    [
      "a row count that is not zero is not sent",
      "[{ query: by_region, rows_equals: 0 }]",
      /^not sent: no condition holds \(rows of by_region equals 0\)$/m,
    ],
    ["on_alert without alerts is not sent", "on_alert", /^not sent: no data quality alerts$/m],
  ];
  for (const [name, send, notSent] of cases) {
    test(name, async () => {
      const before = received.length;
      // --verbose shows the "rendered … chart image(s)" line: a mail not sent draws no chart.
      const run = await notify(withSend(send), ["--verbose"]);
      assert.equal(run.code, 0, run.stderr);
      if (notSent) {
        assert.match(run.stderr, notSent);
        assert.doesNotMatch(run.stderr, /rendered \d+ chart image/);
        assert.equal(received.length, before);
      } else {
        assert.match(run.stderr, /rendered [1-9]\d* chart image\(s\) for the mail/);
        assert.match(run.stderr, /^sent "/m);
        assert.equal(received.length, before + 1);
      }
    });
  }
});
