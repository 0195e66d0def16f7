// URLs can carry a password (`https://user:pass@minio.local`), and an endpoint URL is exactly
// the kind of setting people paste with one. Every URL that reaches a message or a log goes
// through here first, so the password never does.

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;

/** `text` with the user name and password removed from every URL in it. */
export function withoutUserinfo(text: string): string {
  return text.replace(USERINFO, "$1");
}
