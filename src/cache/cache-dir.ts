// Where the download cache lives, and whether it is used at all: decided from the
// environment passed in (never process.env here), so tests point it at a temp folder.
// CONNECT_S3_REPORT_CACHE_DIR (and --cache-dir, which the CLI turns into it) wins; else the
// platform's cache folder. CONNECT_S3_REPORT_CACHE=off (--no-cache) bypasses it. On Posit
// Connect the cache is off unless a folder is named: each render runs in a fresh sandbox,
// so a cache there would only cost disk and a write.
import { homedir } from "node:os";
import { join } from "node:path";
import { isOnConnect } from "../connect/environment.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The variable naming the cache folder. */
export const CACHE_DIR_ENV = "CONNECT_S3_REPORT_CACHE_DIR";
/** Set to "off" to bypass the cache. */
export const CACHE_SWITCH_ENV = "CONNECT_S3_REPORT_CACHE";
/** The cache's size limit in MiB (default DEFAULT_CACHE_MIB). */
export const CACHE_SIZE_ENV = "CONNECT_S3_REPORT_CACHE_MAX_MIB";
export const DEFAULT_CACHE_MIB = 2048;

/** The platform's per-user cache folder for this tool. */
export function platformCacheDir(
  env: Env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === "win32") {
    return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "connect-s3-report", "Cache");
  }
  if (platform === "darwin") return join(home, "Library", "Caches", "connect-s3-report");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "connect-s3-report");
}

export interface CacheSettings {
  dir: string;
  maxBytes: number;
}

/** The cache to use, or undefined when it is off (--no-cache, or a Connect render). */
export function cacheSettings(
  env: Env,
  platform?: NodeJS.Platform,
  home?: string,
): CacheSettings | undefined {
  const switchValue = env[CACHE_SWITCH_ENV]?.toLowerCase();
  if (switchValue === "off" || switchValue === "0" || switchValue === "false") return undefined;
  const named = env[CACHE_DIR_ENV];
  if (!named && isOnConnect(env)) return undefined;
  const mib = Number(env[CACHE_SIZE_ENV]);
  const maxBytes = (Number.isFinite(mib) && mib > 0 ? mib : DEFAULT_CACHE_MIB) * 1024 * 1024;
  return { dir: named || platformCacheDir(env, platform, home), maxBytes };
}
