// Connect's .output_metadata.json: which version a render's environment asks for, and both
// shapes field by field (docs/design/connect-email.md).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { build } from "../src/build.ts";
import { parseReportSpec } from "../src/config/load.ts";
import { composeEmail, type EmailMessage } from "../src/email/compose.ts";
import { emailVersion, outputMetadata } from "../src/email/connect-metadata.ts";
import { recordingEffects } from "./helpers/effects.ts";

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function message(send: boolean, images = true): EmailMessage {
  return {
    subject: "Sales: $1.2M",
    html: '<p><img src="cid:chart-2.png"></p>',
    text: "Revenue: $1.2M\n",
    images: images
      ? [{ cid: "chart-2.png", png, width: 552, height: 240, title: "T", description: "D" }]
      : [],
    decision: { send, reason: send ? "always" : "no data quality alerts" },
  };
}

test("the version follows the Connect release in SPARK_CONNECT_USER_AGENT; unknown is v1", () => {
  const v = (agent?: string) =>
    emailVersion(agent === undefined ? {} : { SPARK_CONNECT_USER_AGENT: agent });
  assert.equal(v(), 1);
  assert.equal(v(""), 1);
  assert.equal(v("curl/8.0"), 1);
  assert.equal(v("posit-connect/2025.11.0"), 1);
  assert.equal(v("posit-connect/2026.02.9"), 1);
  assert.equal(v("posit-connect/2026.03.0"), 2);
  assert.equal(v("posit-connect/2026.03.0-dev+26-dirty-g51b853f70e"), 2);
  assert.equal(v("posit-connect/2026.03"), 2);
  assert.equal(v("posit-connect/2027.01.0"), 2);
  assert.equal(v("posit-connect/2026.3x"), 1);
});

test("v1: rsc_email_* keys, images as base64 by Content-ID, suppress from the send rule", () => {
  const sent = outputMetadata(message(true), 1);
  assert.deepEqual(sent, {
    rsc_email_subject: "Sales: $1.2M",
    rsc_email_body_html: '<p><img src="cid:chart-2.png"></p>',
    rsc_email_body_text: "Revenue: $1.2M\n",
    // base64 of the bytes above, worked out by hand: 89 50 4E 47 0D 0A 1A 0A 01 02 03
    rsc_email_images: { "chart-2.png": "iVBORw0KGgoBAgM=" },
    rsc_email_attachments: [],
    rsc_email_suppress_report_attachment: true,
    rsc_email_suppress_scheduled: false,
  });
  const held = outputMetadata(message(false, false), 1);
  assert.equal("rsc_email_suppress_scheduled" in held && held.rsc_email_suppress_scheduled, true);
  assert.equal("rsc_email_images" in held, false);
});

test("v2: rsc_email_version 2 and one email, suppress from the send rule", () => {
  assert.deepEqual(outputMetadata(message(false), 2), {
    rsc_email_version: 2,
    emails: [
      {
        email_id: 1,
        subject: "Sales: $1.2M",
        body_html: '<p><img src="cid:chart-2.png"></p>',
        body_text: "Revenue: $1.2M\n",
        attachments: [],
        suppress_scheduled: true,
        send_report_as_attachment: false,
        images: { "chart-2.png": "iVBORw0KGgoBAgM=" },
      },
    ],
  });
  const sent = outputMetadata(message(true, false), 2);
  assert.ok("emails" in sent);
  assert.equal(sent.emails[0].suppress_scheduled, false);
  assert.equal("images" in sent.emails[0], false);
});

describe("on Connect the send rule sets suppress_scheduled, in v1 and v2", async () => {
  // Six orders (revenue 655.74, four regions, no negative revenue, no alerts), built for real.
  const definition = "test/input/email/report.yml";
  const built = await build({ definition, outDir: "unused", check: true }, recordingEffects());
  assert.equal(built.summary.alerts.length, 0);
  const text = readFileSync(definition, "utf8");
  const cases: [string, string, boolean][] = [
    ["always", "always", true],
    ["on_alert without alerts", "on_alert", false],
    ["a KPI above a threshold that holds", "[{ kpi: Revenue, above: 600 }]", true],
    ["a KPI above a threshold that does not hold", "[{ kpi: Revenue, above: 1000 }]", false],
    ["a row count of zero", "[{ query: refunds, rows_equals: 0 }]", true],
    ["a row count that is not zero", "[{ query: by_region, rows_equals: 0 }]", false],
  ];
  for (const [name, send, sent] of cases) {
    test(`${name}: ${sent ? "sent" : "suppressed"}`, () => {
      const spec = parseReportSpec(
        text.replace("  send: always", `  send: ${send}`),
        resolve(definition),
        {},
      );
      const message = composeEmail({
        spec,
        summary: built.summary,
        now: new Date("2026-01-15T08:00:00Z"),
        images: built.emailImages,
      });
      const v1 = outputMetadata(message, 1);
      const v2 = outputMetadata(message, 2);
      assert.ok("rsc_email_suppress_scheduled" in v1 && "emails" in v2);
      assert.equal(v1.rsc_email_suppress_scheduled, !sent);
      assert.equal(v2.emails[0].suppress_scheduled, !sent);
    });
  }
  test("on_alert with alerts: sent", () => {
    const spec = parseReportSpec(
      text.replace("  send: always", "  send: on_alert"),
      resolve(definition),
      {},
    );
    const alert = {
      kind: "missing" as const,
      column: "region",
      value: 0.5,
      message: "'region' is missing in 3 of 6 rows",
    };
    const message = composeEmail({
      spec,
      summary: { ...built.summary, alerts: [alert] },
      now: new Date("2026-01-15T08:00:00Z"),
      images: [],
    });
    const v1 = outputMetadata(message, 1);
    assert.ok("rsc_email_suppress_scheduled" in v1);
    assert.equal(v1.rsc_email_suppress_scheduled, false);
    assert.match(v1.rsc_email_body_text, /'region' is missing in 3 of 6 rows/);
  });
});
