// Both test servers wired together as on Connect: a Connect server whose credential exchange
// issues keys that the S3 server accepts, a content session token file, and the environment
// Connect gives a rendered report.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyRegistry } from "./aws-keys.ts";
import { startConnectServer } from "./connect.ts";
import { type ConnectOAuthState, installOAuthRoutes } from "./connect-oauth.ts";
import { type S3TestServer, startS3Server } from "./s3.ts";

export const API_KEY = "test-api-key-0123456789";
export const SESSION_TOKEN = "cst-7f3a9c1e5b2d4f60a8c1-content-session";
export const INTEGRATION_GUID = "a1b2c3d4-0000-4000-8000-00000000aaaa";

export interface AwsWorld {
  registry: KeyRegistry;
  s3: S3TestServer;
  connectUrl: string;
  oauth: ConnectOAuthState;
  /** The Connect server's recorded requests. */
  connectRequests: {
    method: string;
    path: string;
    headers: Record<string, unknown>;
    body: Buffer;
  }[];
  tokenFile: string;
  dir: string;
  /** The environment of a report rendered on Connect, with an S3 endpoint override. */
  connectEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Start both servers; the content session token is associated with one AWS integration. */
export async function startAwsWorld(options: { lifetimeMs?: number; version?: string } = {}) {
  const registry = new KeyRegistry();
  const s3 = await startS3Server({ registry });
  const connect = await startConnectServer({ apiKey: API_KEY });
  const oauth = installOAuthRoutes(connect, {
    registry,
    lifetimeMs: options.lifetimeMs,
    version: options.version,
  });
  oauth.sessions.set(SESSION_TOKEN, {
    type: "content",
    integrations: [{ guid: INTEGRATION_GUID, template: "aws" }],
  });
  const dir = await mkdtemp(join(tmpdir(), "aws-world-"));
  const tokenFile = join(dir, "content-session-token");
  await writeFile(tokenFile, `${SESSION_TOKEN}\n`);
  const world: AwsWorld = {
    registry,
    s3,
    connectUrl: connect.url,
    oauth,
    connectRequests: connect.requests,
    tokenFile,
    dir,
    connectEnv: {
      POSIT_PRODUCT: "CONNECT",
      CONNECT_SERVER: connect.url,
      CONNECT_API_KEY: API_KEY,
      CONNECT_CONTENT_SESSION_TOKEN_FILE: tokenFile,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_REGION: "us-east-1",
    },
    async close() {
      await Promise.all([s3.close(), connect.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function testBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Collect an async byte stream. */
export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
