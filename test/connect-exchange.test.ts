// The credential exchange against the Connect test server: the exact form it sends, decoding,
// caching and refresh, the token file read before every exchange, and its error messages.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import {
  decodeAwsCredentials,
  fromConnectContentSession,
  fromConnectViewerSession,
  getAwsContentCredentials,
} from "../src/connect/exchange.ts";
import { isReportError, type ReportError } from "../src/errors.ts";
import { KeyRegistry } from "./servers/aws-keys.ts";
import {
  API_KEY,
  type AwsWorld,
  INTEGRATION_GUID,
  SESSION_TOKEN,
  startAwsWorld,
} from "./servers/aws-world.ts";
import { startConnectServer } from "./servers/connect.ts";
import { installOAuthRoutes } from "./servers/connect-oauth.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

const exchangeRequests = () =>
  world.connectRequests.filter((r) => r.path === "/__api__/v1/oauth/integrations/credentials");

const isReport = (check: (error: ReportError) => void) => (error: unknown) => {
  assert.ok(isReportError(error), `expected a ReportError, got ${error}`);
  check(error);
  return true;
};

test("decodes the fixture shared by posit-sdk-py and connectapi", () => {
  const fixture =
    "eyJhY2Nlc3NLZXlJZCI6ICJhYmMxMjMiLCAic2VjcmV0QWNjZXNzS2V5IjogImRlZjQ1NiIsICJzZXNzaW9uVG9rZW4iOiAiZ2hpNzg5IiwgImV4cGlyYXRpb24iOiAiMjAyNS0wMS0wMVQwMDowMDowMFoifQ==";
  assert.deepEqual(decodeAwsCredentials(fixture), {
    accessKeyId: "abc123",
    secretAccessKey: "def456",
    sessionToken: "ghi789",
    expiration: new Date(Date.UTC(2025, 0, 1)),
  });
});

test("posts the documented form with Key auth and returns the issued credentials", async () => {
  const before = exchangeRequests().length;
  const credentials = await getAwsContentCredentials({ env: world.connectEnv });
  const sent = exchangeRequests().slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, "POST");
  assert.equal(sent[0].headers.authorization, `Key ${API_KEY}`);
  assert.equal(sent[0].headers["content-type"], "application/x-www-form-urlencoded");
  const form = Object.fromEntries(new URLSearchParams(sent[0].body.toString()));
  assert.deepEqual(form, {
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token_type: "urn:posit:connect:content-session-token",
    subject_token: SESSION_TOKEN,
    requested_token_type: "urn:ietf:params:aws:token-type:credentials",
  });
  const issued = world.registry.get(credentials.accessKeyId);
  assert.ok(issued, "the key was issued by the Connect server");
  assert.equal(credentials.secretAccessKey, issued.secretAccessKey);
  assert.equal(credentials.sessionToken, issued.sessionToken);
  // The server states expiry to the second, as the fixture does.
  assert.ok(
    Math.abs(credentials.expiration.getTime() - (issued.expiration?.getTime() ?? 0)) < 1000,
  );
});

test("sends the audience from CONNECT_AWS_INTEGRATION_GUID", async () => {
  const before = exchangeRequests().length;
  await getAwsContentCredentials({
    env: { ...world.connectEnv, CONNECT_AWS_INTEGRATION_GUID: INTEGRATION_GUID },
  });
  const form = new URLSearchParams(exchangeRequests()[before].body.toString());
  assert.equal(form.get("audience"), INTEGRATION_GUID);
});

test("reads the token file before every exchange and falls back to CONNECT_CONTENT_SESSION_TOKEN", async () => {
  world.oauth.sessions.set("second-token", {
    type: "content",
    integrations: [{ guid: INTEGRATION_GUID, template: "aws" }],
  });
  const provider = fromConnectContentSession({ env: world.connectEnv });
  const before = exchangeRequests().length;
  await provider();
  await writeFile(world.tokenFile, "  second-token \n");
  provider.invalidate();
  await provider();
  await writeFile(world.tokenFile, "");
  provider.invalidate();
  await assert.rejects(provider(), /no content session token/);
  const viaEnv = fromConnectContentSession({
    env: {
      ...world.connectEnv,
      CONNECT_CONTENT_SESSION_TOKEN_FILE: "",
      CONNECT_CONTENT_SESSION_TOKEN: SESSION_TOKEN,
    },
  });
  await viaEnv();
  await writeFile(world.tokenFile, SESSION_TOKEN);
  const tokens = exchangeRequests()
    .slice(before)
    .map((r) => new URLSearchParams(r.body.toString()).get("subject_token"));
  assert.deepEqual(tokens, [SESSION_TOKEN, "second-token", SESSION_TOKEN]);
});

test("caches credentials and exchanges again five minutes before they expire", async () => {
  let offsetMs = 0;
  const provider = fromConnectContentSession({
    env: world.connectEnv,
    now: () => new Date(Date.now() + offsetMs),
  });
  const before = exchangeRequests().length;
  const first = await provider();
  const again = await provider();
  assert.equal(again.accessKeyId, first.accessKeyId);
  offsetMs = 54 * 60_000; // 6 minutes left of the server's 60: still cached
  assert.equal((await provider()).accessKeyId, first.accessKeyId);
  offsetMs = 56 * 60_000; // 4 minutes left: refresh
  const refreshed = await provider();
  assert.notEqual(refreshed.accessKeyId, first.accessKeyId);
  assert.equal(exchangeRequests().length - before, 2);
});

test("concurrent callers share one exchange", async () => {
  const provider = fromConnectContentSession({ env: world.connectEnv });
  const before = exchangeRequests().length;
  const all = await Promise.all([provider(), provider(), provider()]);
  assert.equal(new Set(all.map((c) => c.accessKeyId)).size, 1);
  assert.equal(exchangeRequests().length - before, 1);
});

test("a viewer session token is sent as a user-session-token", async () => {
  world.oauth.sessions.set("viewer-token", {
    type: "user",
    integrations: [{ guid: INTEGRATION_GUID, template: "aws" }],
  });
  const before = exchangeRequests().length;
  await fromConnectViewerSession("viewer-token", { env: world.connectEnv })();
  const form = new URLSearchParams(exchangeRequests()[before].body.toString());
  assert.equal(form.get("subject_token_type"), "urn:posit:connect:user-session-token");
  assert.equal(form.get("subject_token"), "viewer-token");
});

test("no integration associated: says where to add one", async () => {
  world.oauth.sessions.set("lonely-token", { type: "content", integrations: [] });
  await assert.rejects(
    getAwsContentCredentials({
      env: {
        ...world.connectEnv,
        CONNECT_CONTENT_SESSION_TOKEN_FILE: "",
        CONNECT_CONTENT_SESSION_TOKEN: "lonely-token",
      },
    }),
    isReport((error) => {
      assert.match(
        error.message,
        /could not exchange the content session token for AWS credentials/,
      );
      assert.match(
        error.message,
        /No OAuth integrations have been associated with this content item/,
      );
      assert.match(error.hint ?? "", /Access panel → Integrations/);
    }),
  );
});

test("several integrations: the audience picks one, an unknown audience is named", async () => {
  world.oauth.sessions.set("busy-token", {
    type: "content",
    integrations: [
      { guid: INTEGRATION_GUID, template: "aws" },
      { guid: "b0000000-0000-4000-8000-00000000bbbb", template: "aws" },
    ],
  });
  const env = {
    ...world.connectEnv,
    CONNECT_CONTENT_SESSION_TOKEN_FILE: "",
    CONNECT_CONTENT_SESSION_TOKEN: "busy-token",
  };
  await assert.rejects(getAwsContentCredentials({ env }), /specify an audience/);
  const credentials = await getAwsContentCredentials({ env, audience: INTEGRATION_GUID });
  assert.equal(
    world.registry.get(credentials.accessKeyId)?.issuedTo,
    `connect:${INTEGRATION_GUID}`,
  );
  await assert.rejects(
    getAwsContentCredentials({ env, audience: "c0000000-0000-4000-8000-00000000cccc" }),
    isReport((error) => {
      assert.match(error.message, /audience c0000000-0000-4000-8000-00000000cccc/);
      assert.match(error.hint ?? "", /Check that integration c0000000-0000-4000-8000-00000000cccc/);
    }),
  );
});

test("a bad API key is named as such", async () => {
  await assert.rejects(
    getAwsContentCredentials({ env: { ...world.connectEnv, CONNECT_API_KEY: "not-the-key" } }),
    isReport((error) => {
      assert.match(error.message, /the API key was refused/);
      assert.match(error.hint ?? "", /CONNECT_API_KEY/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /not-the-key/);
    }),
  );
});

test("a server older than 2025.03.0 is named with its version", async () => {
  world.oauth.version = "2024.12.0";
  try {
    await assert.rejects(
      getAwsContentCredentials({ env: world.connectEnv }),
      isReport((error) => {
        assert.match(
          error.message,
          /Connect 2024\.12\.0 .* cannot issue AWS credentials: that needs Connect 2025\.03\.0 or later/,
        );
        assert.match(error.hint ?? "", /upgrade/);
      }),
    );
  } finally {
    world.oauth.version = "2025.09.0";
  }
});

test("missing CONNECT_SERVER and CONNECT_API_KEY are named", () => {
  assert.throws(
    () => fromConnectContentSession({ env: { POSIT_PRODUCT: "CONNECT" } }),
    /CONNECT_SERVER and CONNECT_API_KEY are not set/,
  );
});

test("an error page that echoes the request quotes neither the subject token nor the API key", async () => {
  const connect = await startConnectServer({ apiKey: API_KEY });
  try {
    installOAuthRoutes(connect, { registry: new KeyRegistry() });
    connect.faults.echo = { path: /^\/v1\/oauth\/integrations\/credentials$/, status: 400 };
    const env = {
      POSIT_PRODUCT: "CONNECT",
      CONNECT_SERVER: connect.url,
      CONNECT_API_KEY: API_KEY,
      CONNECT_CONTENT_SESSION_TOKEN: SESSION_TOKEN,
    };
    await assert.rejects(
      getAwsContentCredentials({ env }),
      isReport((error) => {
        const text = `${error.message}\n${error.hint}`;
        assert.match(error.message, /Connect answered HTTP 400: Request rejected: POST/);
        assert.ok(!text.includes(SESSION_TOKEN), text);
        assert.ok(!text.includes(encodeURIComponent(SESSION_TOKEN)), text);
        assert.ok(!text.includes(API_KEY), text);
        assert.doesNotMatch(error.message, /[\r\n]/);
      }),
    );
  } finally {
    await connect.close();
  }
});
