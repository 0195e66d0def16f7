// The email as a MIME message, and sending it over SMTP with nodemailer (used by `notify`
// under Node only; the rendered deploy hands the message to Connect instead). Settings come
// from SMTP_* variables; errors name the server and the setting to fix, never the password.
import { readFile } from "node:fs/promises";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";
import type { EmailMessage } from "./compose.ts";

/** How the connection is secured: TLS from the start (465), STARTTLS (587) or not at all. */
export const SMTP_SECURE_MODES = ["tls", "starttls", "none"] as const;
export type SmtpSecure = (typeof SMTP_SECURE_MODES)[number];

const DEFAULT_PORTS: Record<SmtpSecure, number> = { tls: 465, starttls: 587, none: 25 };

export interface SmtpSettings {
  host: string;
  port: number;
  secure: SmtpSecure;
  username?: string;
  password?: string;
  from: string;
  /** PEM certificates to trust besides the system's (SMTP_CA_FILE). */
  ca?: string;
}

type Env = Effects["env"];

/** The SMTP_* settings; a `--dry-run` needs only SMTP_FROM (or a placeholder sender). */
export async function smtpSettings(env: Env, options: { dryRun: boolean }): Promise<SmtpSettings> {
  const value = (name: string) => env[name]?.trim() || undefined;
  const secureText = (value("SMTP_SECURE") ?? "starttls").toLowerCase();
  const secure = SMTP_SECURE_MODES.find((mode) => mode === secureText);
  if (secure === undefined) {
    throw new ReportError(
      `SMTP_SECURE is '${secureText}', not one of ${SMTP_SECURE_MODES.join(", ")}`,
      {
        hint: "tls: TLS from the start (port 465); starttls: upgrade a plain connection (587); none: no TLS.",
      },
    );
  }
  const host = value("SMTP_HOST");
  if (host === undefined && !options.dryRun) {
    throw new ReportError("SMTP_HOST is not set", {
      hint: "Set SMTP_HOST (and SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM), or use --dry-run to write the message to a file.",
    });
  }
  const portText = value("SMTP_PORT");
  const port = portText === undefined ? DEFAULT_PORTS[secure] : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ReportError(`SMTP_PORT is '${portText}', not a port number`, {
      hint: "Use 465 with SMTP_SECURE=tls, 587 with starttls, 25 with none.",
    });
  }
  const username = value("SMTP_USERNAME");
  const password = env.SMTP_PASSWORD || undefined;
  if (username !== undefined && password === undefined && !options.dryRun) {
    throw new ReportError("SMTP_USERNAME is set but SMTP_PASSWORD is not", {
      hint: "Set SMTP_PASSWORD to the account's password or app token, or unset SMTP_USERNAME for a server without login.",
    });
  }
  const from = value("SMTP_FROM") ?? (username?.includes("@") ? username : undefined);
  if (from === undefined && !options.dryRun) {
    throw new ReportError("SMTP_FROM is not set", {
      hint: 'Set SMTP_FROM to the sender, e.g. SMTP_FROM="Reports <reports@example.com>".',
    });
  }
  const caFile = value("SMTP_CA_FILE");
  let ca: string | undefined;
  if (caFile !== undefined && !options.dryRun) {
    try {
      ca = await readFile(caFile, "utf8");
    } catch {
      throw new ReportError(`SMTP_CA_FILE names ${caFile}, which cannot be read`, {
        hint: "Point SMTP_CA_FILE at the PEM file of the CA that signed the SMTP server's certificate.",
      });
    }
  }
  return {
    ...(ca !== undefined && { ca }),
    host: host ?? "localhost",
    port,
    secure,
    username,
    password,
    from: from ?? "connect-s3-report@localhost",
  };
}

/** nodemailer's message: text and HTML alternatives, the charts as inline cid: parts. */
function mailOptions(message: EmailMessage, from: string, to: readonly string[]) {
  return {
    from,
    to: [...to],
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.images.map((image) => ({
      filename: image.cid,
      cid: image.cid,
      content: Buffer.from(image.png),
      contentType: "image/png",
      contentDisposition: "inline" as const,
    })),
  };
}

/** The whole message as RFC 5322 bytes (what `--dry-run` writes as .eml). */
export function mimeMessage(
  message: EmailMessage,
  from: string,
  to: readonly string[],
): Promise<Buffer> {
  return new MailComposer(mailOptions(message, from, to)).compile().build();
}

/** Remove every occurrence of `secret` from `text`. */
function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/** Send over SMTP; returns the server's answer to the message. */
export async function sendMail(
  message: EmailMessage,
  to: readonly string[],
  settings: SmtpSettings,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure === "tls",
    requireTLS: settings.secure === "starttls",
    ignoreTLS: settings.secure === "none",
    ...(settings.ca !== undefined && { tls: { ca: settings.ca } }),
    ...(settings.username !== undefined && {
      auth: { user: settings.username, pass: settings.password ?? "" },
    }),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const server = `${settings.host}:${settings.port}`;
  try {
    const info = await transport.sendMail(mailOptions(message, settings.from, to));
    return String(info.response ?? "");
  } catch (error) {
    const e = error as { code?: string; response?: string; message?: string };
    const detail = redact(e.response || e.message || String(error), settings.password);
    if (e.code === "EAUTH") {
      throw new ReportError(
        `The SMTP server ${server} refused the login of '${settings.username ?? ""}': ${detail}`,
        { hint: "Check SMTP_USERNAME and SMTP_PASSWORD (some providers need an app password)." },
      );
    }
    if (e.code === "ETLS" || /certificate|TLS|SSL/i.test(detail)) {
      throw new ReportError(`TLS with the SMTP server ${server} failed: ${detail}`, {
        hint: "Check SMTP_SECURE (tls for port 465, starttls for 587) and that the server's certificate is trusted (SMTP_CA_FILE for a private CA).",
      });
    }
    if (
      e.code === "ECONNECTION" ||
      e.code === "ESOCKET" ||
      e.code === "ETIMEDOUT" ||
      e.code === "EDNS"
    ) {
      throw new ReportError(`Could not reach the SMTP server ${server}: ${detail}`, {
        hint: "Check SMTP_HOST and SMTP_PORT, and that this machine may connect to it.",
      });
    }
    throw new ReportError(`The SMTP server ${server} did not accept the message: ${detail}`, {
      hint: "Check SMTP_FROM (the server may only let you send as your own address) and the --to addresses.",
    });
  } finally {
    transport.close();
  }
}
