// The OAuth area of the Connect test server: the credential exchange
// (POST /__api__/v1/oauth/integrations/credentials, docs/design/connect-api.md §1) issuing
// temporary AWS credentials from a KeyRegistry shared with the S3 test server, and
// GET /__api__/server_settings with a configurable version.
// The exchange's error bodies are UNCONFIRMED upstream; these use Connect's generic
// {code, error, payload} shape with plausible messages.
import type { KeyRegistry } from "./aws-keys.ts";
import { type ConnectTestServer, sendError, sendJson } from "./connect.ts";

export interface Integration {
  guid: string;
  /** "aws", "custom", … (the integration template). */
  template: string;
}

export interface Exchange {
  subjectTokenType: string;
  subjectToken: string;
  audience?: string;
  requestedTokenType?: string;
  /** The access key issued, when the exchange succeeded. */
  accessKeyId?: string;
  status: number;
}

export interface ConnectOAuthState {
  /** Session tokens Connect knows, mapped to the integrations associated with their content. */
  sessions: Map<string, { type: "content" | "user"; integrations: Integration[] }>;
  /** Lifetime of issued AWS credentials. */
  lifetimeMs: number;
  /** What server_settings reports; undefined hides the version, as admins can. */
  version: string | undefined;
  exchanges: Exchange[];
}

const CONTENT = "urn:posit:connect:content-session-token";
const USER = "urn:posit:connect:user-session-token";
const AWS = "urn:ietf:params:aws:token-type:credentials";

const versionBefore = (version: string | undefined, minimum: string) => {
  if (!version) return false;
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
};

/** Add the OAuth routes and server_settings to a started Connect test server. */
export function installOAuthRoutes(
  server: ConnectTestServer,
  options: { registry: KeyRegistry; lifetimeMs?: number; version?: string },
): ConnectOAuthState {
  const state: ConnectOAuthState = {
    sessions: new Map(),
    lifetimeMs: options.lifetimeMs ?? 3600_000,
    version: options.version ?? "2025.09.0",
    exchanges: [],
  };

  server.route(
    "GET",
    /^\/server_settings$/,
    ({ res }) => sendJson(res, 200, state.version ? { version: state.version } : {}),
    { auth: false },
  );

  server.route("POST", /^\/v1\/oauth\/integrations\/credentials$/, ({ req, res, body }) => {
    if (!String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      sendError(res, 400, "The request body must be application/x-www-form-urlencoded.");
      return;
    }
    const form = new URLSearchParams(body.toString("utf8"));
    const exchange: Exchange = {
      subjectTokenType: form.get("subject_token_type") ?? "",
      subjectToken: form.get("subject_token") ?? "",
      audience: form.get("audience") ?? undefined,
      requestedTokenType: form.get("requested_token_type") ?? undefined,
      status: 400,
    };
    state.exchanges.push(exchange);
    const fail = (status: number, message: string) => {
      exchange.status = status;
      sendError(res, status, message);
    };
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return fail(400, `Unsupported grant_type: ${form.get("grant_type")}`);
    }
    if (exchange.subjectTokenType !== CONTENT && exchange.subjectTokenType !== USER) {
      return fail(400, `Unsupported subject_token_type: ${exchange.subjectTokenType}`);
    }
    if (exchange.requestedTokenType === AWS && versionBefore(state.version, "2025.03.0")) {
      return fail(400, `Unsupported requested_token_type: ${exchange.requestedTokenType}`);
    }
    if (exchange.requestedTokenType !== undefined && exchange.requestedTokenType !== AWS) {
      return fail(400, `This test server issues only ${AWS}.`);
    }
    const session = state.sessions.get(exchange.subjectToken);
    const wantedType = exchange.subjectTokenType === CONTENT ? "content" : "user";
    if (!session || session.type !== wantedType) {
      return fail(400, "The subject token is invalid or has expired.");
    }
    if (exchange.audience !== undefined && versionBefore(state.version, "2025.07.0")) {
      return fail(400, "Unknown parameter: audience");
    }
    const aws = session.integrations.filter((i) => i.template === "aws");
    let integration: Integration | undefined;
    if (exchange.audience !== undefined) {
      integration = session.integrations.find((i) => i.guid === exchange.audience);
      if (!integration) {
        return fail(
          400,
          `No OAuth integration with guid ${exchange.audience} is associated with this content.`,
        );
      }
    } else if (aws.length === 0) {
      return fail(400, "No OAuth integrations have been associated with this content item.");
    } else if (aws.length > 1) {
      return fail(
        400,
        "Multiple OAuth integrations are associated with this content item; specify an audience.",
      );
    } else {
      integration = aws[0];
    }
    const key = options.registry.issueTemporary(state.lifetimeMs, `connect:${integration.guid}`);
    exchange.accessKeyId = key.accessKeyId;
    exchange.status = 200;
    const payload = JSON.stringify({
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      sessionToken: key.sessionToken,
      expiration: key.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    sendJson(res, 200, {
      access_token: Buffer.from(payload, "utf8").toString("base64"),
      issued_token_type: AWS,
      token_type: "aws_credentials",
    });
  });

  return state;
}
