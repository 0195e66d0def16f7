// Installs the Deno versions the rendered-mode tests run under (those shipped with Quarto
// 1.6, 1.7 and 1.10) into node_modules/.cache/deno/<version>/. They are not package.json
// dependencies: the `deno` npm package lists every platform's binary as an optional
// dependency, and the registry mirror here lacks the macOS and Windows ones, which leaves
// a lock file that `npm ci` rejects. The Linux binary ships inside @deno/linux-x64-glibc.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { arch, platform } from "node:os";
import { DENO_VERSIONS, denoBinary, denoPrefix } from "../test/deno-run.ts";

if (platform() !== "linux" || arch() !== "x64") {
  console.warn(
    `install-deno: no Deno binaries for ${platform()}-${arch()}; the Deno tests will fail`,
  );
} else {
  for (const version of DENO_VERSIONS) {
    const binary = denoBinary(version);
    if (!existsSync(binary)) {
      console.log(`install-deno: Deno ${version} (for the rendered-mode tests)…`);
      execFileSync(
        "npm",
        [
          "install",
          "--prefix",
          denoPrefix(version),
          "--no-save",
          "--no-audit",
          "--no-fund",
          "--no-package-lock",
          `@deno/linux-x64-glibc@${version}`,
        ],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
    }
    // Some of these packages ship the binary without its execute bit (the `deno` wrapper
    // package's postinstall usually sets it).
    chmodSync(binary, 0o755);
  }
}
