// Connect's custom email for a rendered deploy: `.output_metadata.json` beside the rendered
// output, in the version the server reads. Shapes and version rule: docs/design/connect-email.md
// (v1: rsc_email_* keys, every Connect; v2: rsc_email_version 2 with an `emails` list,
// Connect 2026.03.0 and later, detected like Quarto's email format from the Connect version
// in SPARK_CONNECT_USER_AGENT; unknown or unparsable → v1).
import type { EmailMessage } from "./compose.ts";

/** The v1 file (blastula and Quarto's email format before Connect 2026.03). */
export interface OutputMetadataV1 {
  rsc_email_subject: string;
  rsc_email_body_html: string;
  rsc_email_body_text: string;
  /** Content-ID → base64 PNG; absent when the message has no images. */
  rsc_email_images?: Record<string, string>;
  rsc_email_attachments: string[];
  rsc_email_suppress_report_attachment: boolean;
  rsc_email_suppress_scheduled: boolean;
}

/** One message of a v2 file. */
export interface ConnectEmailV2 {
  email_id: number;
  subject: string;
  body_html: string;
  body_text: string;
  attachments: string[];
  suppress_scheduled: boolean;
  send_report_as_attachment: boolean;
  images?: Record<string, string>;
}

/** The v2 file (Connect 2026.03.0 and later). */
export interface OutputMetadataV2 {
  rsc_email_version: 2;
  emails: ConnectEmailV2[];
}

export type OutputMetadata = OutputMetadataV1 | OutputMetadataV2;

export type EmailVersion = 1 | 2;

/** The first Connect release that reads v2. */
export const V2_SINCE = { year: 2026, month: 3, patch: 0 } as const;

/**
 * The Connect version in SPARK_CONNECT_USER_AGENT (`posit-connect/2026.03.0`, or with a
 * `-dev+…` suffix), or undefined.
 */
export function connectVersion(
  env: Readonly<Record<string, string | undefined>>,
): { year: number; month: number; patch: number } | undefined {
  const written = /posit-connect\/([\d.\-+a-z]+)/.exec(env.SPARK_CONNECT_USER_AGENT ?? "")?.[1];
  // A suffix such as "-dev+88-gda902918eb" is dropped; what remains must be X.Y or X.Y.Z.
  const match = /^(\d+)\.(\d+)\.?(\d*)$/.exec(written?.split("-")[0] ?? "");
  if (!match) return undefined;
  return { year: Number(match[1]), month: Number(match[2]), patch: Number(match[3] || 0) };
}

/** 2 when the render's Connect reads v2, else 1 (also when the version is unknown). */
export function emailVersion(env: Readonly<Record<string, string | undefined>>): EmailVersion {
  const v = connectVersion(env);
  if (v === undefined) return 1;
  const key = (x: { year: number; month: number; patch: number }) =>
    x.year * 10_000 + x.month * 100 + x.patch;
  return key(v) >= key(V2_SINCE) ? 2 : 1;
}

function base64Images(message: EmailMessage): Record<string, string> | undefined {
  if (message.images.length === 0) return undefined;
  return Object.fromEntries(
    message.images.map((image) => [image.cid, Buffer.from(image.png).toString("base64")]),
  );
}

/** The metadata Connect reads for `message`, in `version`. */
export function outputMetadata(message: EmailMessage, version: EmailVersion): OutputMetadata {
  const images = base64Images(message);
  const suppress = !message.decision.send;
  if (version === 2) {
    return {
      rsc_email_version: 2,
      emails: [
        {
          email_id: 1,
          subject: message.subject,
          body_html: message.html,
          body_text: message.text,
          attachments: [],
          suppress_scheduled: suppress,
          // The report is a full web page; the link reads better than an attachment.
          send_report_as_attachment: false,
          ...(images && { images }),
        },
      ],
    };
  }
  return {
    rsc_email_subject: message.subject,
    rsc_email_body_html: message.html,
    rsc_email_body_text: message.text,
    ...(images && { rsc_email_images: images }),
    rsc_email_attachments: [],
    rsc_email_suppress_report_attachment: true,
    rsc_email_suppress_scheduled: suppress,
  };
}
