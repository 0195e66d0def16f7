// manifest.json for a Connect bundle (docs/design/connect-api.md §2.7 and §3.3).
import { createHash } from "node:crypto";

/** A file going into a bundle, by its POSIX path relative to the bundle root. */
export interface BundleFile {
  path: string;
  data: Uint8Array;
}

/** The subset of Connect's manifest this tool writes. */
export interface Manifest {
  version: 1;
  metadata: {
    appmode: "static" | "quarto-static";
    primary_html?: string;
    entrypoint?: string;
  };
  quarto?: { version: string; engines: string[] };
  files: Record<string, { checksum: string }>;
}

/** Lowercase hex MD5 of the bytes, as Connect checks each manifest entry. */
export function md5Hex(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

function checksums(files: readonly BundleFile[]): Manifest["files"] {
  const out: Manifest["files"] = {};
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (file.path === "manifest.json") continue;
    out[file.path] = { checksum: md5Hex(file.data) };
  }
  return out;
}

/** Manifest for pre-rendered HTML (`appmode: static`), served as is and never re-run. */
export function staticManifest(files: readonly BundleFile[], primaryHtml = "index.html"): Manifest {
  return {
    version: 1,
    metadata: { appmode: "static", primary_html: primaryHtml, entrypoint: primaryHtml },
    files: checksums(files),
  };
}

/**
 * Manifest for a Quarto project that needs neither R nor Python (`quarto-static`, markdown
 * engine only), which Connect renders on each schedule.
 */
export function quartoManifest(
  files: readonly BundleFile[],
  options: { quartoVersion: string; entrypoint?: string },
): Manifest {
  return {
    version: 1,
    metadata: { appmode: "quarto-static", entrypoint: options.entrypoint ?? "index.qmd" },
    quarto: { version: options.quartoVersion, engines: ["markdown"] },
    files: checksums(files),
  };
}

/**
 * A valid Connect content name from a title: lower-case, only [a-z0-9_-], spaces to "_",
 * 3–64 characters (the rule rsconnect-python and rsconnect-ts apply).
 */
export function contentNameFromTitle(title: string): string {
  const name = title
    .toLowerCase()
    .replace(/[^a-z0-9_ -]/g, "")
    .replace(/ /g, "_")
    .replace(/_+/g, "_")
    .slice(0, 64);
  return name.padStart(3, "_");
}

/** Whether `name` is acceptable to Connect as a content name. */
export function isValidContentName(name: string): boolean {
  return /^[A-Za-z0-9_-]{3,64}$/.test(name);
}
