// Where this package's own files are (templates/, package.json, the prebuilt Deno script):
// the one way to find them. A module cannot count folders up from itself, because the same
// code runs from src/ (tsx), from tsc's dist/ that mirrors src/, and from the CLI bundle's
// chunks in dist/bundle/ (scripts/build-dist.ts), each at another depth. So this walks up from
// wherever it runs to the first package.json that names this package. Nothing runs at import:
// the Deno script of a rendered deploy bundles modules that import this, has no package
// folder, and passes its carried templates explicitly.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's name in package.json: the folder holding that file is the root. */
export const PACKAGE_NAME = "connect-s3-report";

/** The fields of package.json read at run time. */
export interface PackageJson {
  name: string;
  version: string;
}

let found: { root: string; json: PackageJson } | undefined;

/** The package's folder and package.json, found once per process. */
function locate(): { root: string; json: PackageJson } {
  if (found) return found;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const json = readPackageJson(join(dir, "package.json"));
    if (json?.name === PACKAGE_NAME) {
      found = { root: dir, json };
      return found;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `No package.json named "${PACKAGE_NAME}" above ${start}: the package is incomplete.`,
  );
}

function readPackageJson(path: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The package's root folder (the one with its package.json). */
export function packageRoot(): string {
  return locate().root;
}

/** A path inside the package, e.g. `packagePath("templates", "fonts")`. */
export function packagePath(...parts: string[]): string {
  return join(locate().root, ...parts);
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return locate().json.version;
}
