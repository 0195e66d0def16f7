// The email Connect sends after a render (.output_metadata.json, v1 keys).
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputMetadata } from "../src/rendered/email.ts";

const renderedAt = new Date("2026-03-05T07:00:00Z");

test("subject, links to this rendering and the latest, and the unsubscribe link", () => {
  const meta = outputMetadata({
    title: "Sales <Q1> & more",
    renderedAt,
    highlights: ["1,204 rows from s3://b/k.csv"],
    env: {
      RSC_REPORT_URL: "https://c.example/content/9/",
      RSC_REPORT_RENDERING_URL: "https://c.example/content/9/_rev3/",
      RSC_REPORT_SUBSCRIPTION_URL: "https://c.example/connect/#/apps/9/subscriptions",
    },
  });
  assert.equal(meta.rsc_email_subject, "Sales <Q1> & more (2026-03-05)");
  assert.match(meta.rsc_email_body_html, /<strong>Sales &lt;Q1&gt; &amp; more<\/strong>/);
  assert.match(
    meta.rsc_email_body_html,
    /<a href="https:\/\/c.example\/content\/9\/_rev3\/">Open the report<\/a>/,
  );
  assert.match(meta.rsc_email_body_html, /<li>1,204 rows from s3:\/\/b\/k.csv<\/li>/);
  assert.equal(
    meta.rsc_email_body_text,
    [
      'The report "Sales <Q1> & more" was updated on 2026-03-05.',
      "",
      "- 1,204 rows from s3://b/k.csv",
      "",
      "Open the report: https://c.example/content/9/_rev3/",
      "Latest version: https://c.example/content/9/",
      "",
      "Unsubscribe: https://c.example/connect/#/apps/9/subscriptions",
      "",
    ].join("\n"),
  );
  assert.equal(meta.rsc_email_suppress_report_attachment, true);
  assert.equal(meta.rsc_email_suppress_scheduled, false);
});

test("outside Connect (no RSC_ variables) the body has no links", () => {
  const meta = outputMetadata({ title: "T", renderedAt, env: {} });
  assert.doesNotMatch(meta.rsc_email_body_html, /href/);
  assert.equal(meta.rsc_email_body_text, 'The report "T" was updated on 2026-03-05.\n');
});
