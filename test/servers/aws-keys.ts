// The AWS keys the test servers agree on: the Connect test server issues temporary ones from
// here and the S3 test server checks signatures and session tokens against the same object.
import { randomBytes } from "node:crypto";

export interface IssuedKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Absent for long-term keys (a laptop's environment or profile). */
  sessionToken?: string;
  /** Absent for long-term keys. */
  expiration?: Date;
  /** Who the key was given to, for assertions ("connect-exchange", "env", …). */
  issuedTo: string;
}

export class KeyRegistry {
  readonly keys = new Map<string, IssuedKey>();

  /** Register a long-term key pair (no session token, no expiry). */
  addStatic(accessKeyId: string, secretAccessKey: string, issuedTo = "static"): IssuedKey {
    const key = { accessKeyId, secretAccessKey, issuedTo };
    this.keys.set(accessKeyId, key);
    return key;
  }

  /** Issue temporary credentials valid for `lifetimeMs`, as STS would. */
  issueTemporary(lifetimeMs: number, issuedTo: string, now = new Date()): Required<IssuedKey> {
    const key = {
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64url"),
      sessionToken: `IQoJ${randomBytes(48).toString("base64url")}`,
      expiration: new Date(now.getTime() + lifetimeMs),
      issuedTo,
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  get(accessKeyId: string): IssuedKey | undefined {
    return this.keys.get(accessKeyId);
  }
}
