// Deploying a bundle to Connect: find or create → update → upload → deploy → follow the task
// (docs/design/connect-api.md §2). One thin function per API call, then `deployContent`
// wiring them.
import type { Logger } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { ConnectApiError, type ConnectClient } from "./client.ts";

/** The content fields this tool reads (Connect sends many more). */
export interface ContentItem {
  guid: string;
  name: string;
  title: string | null;
  description: string;
  owner_guid: string;
  app_mode?: string;
  bundle_id?: string | null;
  content_url: string;
  dashboard_url: string;
}

export interface ConnectUser {
  guid: string;
  username: string;
}

/** A task as `GET /v1/tasks/{id}` returns it. */
export interface Task {
  id: string;
  output: string[];
  finished: boolean;
  code: number;
  error: string;
  last: number;
  result: unknown;
}

/** Connect's code for "a content item with this name already exists". */
export const DUPLICATE_NAME = 26;

/** The user the API key belongs to. */
export function currentUser(client: ConnectClient): Promise<ConnectUser> {
  return client.request<ConnectUser>("GET", "v1/user");
}

/** The caller's own content item named `name`, if any. */
export async function findContent(
  client: ConnectClient,
  name: string,
  ownerGuid?: string,
): Promise<ContentItem[]> {
  const items = await client.request<ContentItem[]>("GET", "v1/content", {
    query: { name, owner_guid: ownerGuid },
  });
  // Older servers ignore owner_guid; filter here too.
  return items.filter(
    (item) => item.name === name && (!ownerGuid || item.owner_guid === ownerGuid),
  );
}

export function createContent(
  client: ConnectClient,
  fields: { name: string; title: string; description?: string },
): Promise<ContentItem> {
  return client.request<ContentItem>("POST", "v1/content", { json: fields });
}

/** One content item by GUID. */
export function getContent(client: ConnectClient, guid: string): Promise<ContentItem> {
  return client.request<ContentItem>("GET", `v1/content/${guid}`);
}

export function updateContent(
  client: ConnectClient,
  guid: string,
  fields: { title?: string; description?: string },
): Promise<ContentItem> {
  return client.request<ContentItem>("PATCH", `v1/content/${guid}`, { json: fields });
}

/**
 * An id from a reply (a number or a plain string), or undefined when it is missing or could
 * not be an id (it goes into later URLs, so nothing that could change their path).
 */
function idFrom(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
}

/** Upload a .tar.gz bundle; returns the new bundle's id. */
export async function uploadBundle(
  client: ConnectClient,
  guid: string,
  bundle: Uint8Array,
): Promise<string> {
  const result = await client.request<{ id?: unknown } | undefined>(
    "POST",
    `v1/content/${guid}/bundles`,
    { body: bundle, contentType: "application/gzip" },
  );
  const id = idFrom(result?.id);
  if (id === undefined) {
    throw new ReportError("Connect accepted the bundle upload, but its reply has no bundle id", {
      hint: "Check that CONNECT_SERVER points at Connect itself, not a proxy that rewrites replies.",
    });
  }
  return id;
}

/** Start deploying a bundle; returns the task id. */
export async function deployBundle(
  client: ConnectClient,
  guid: string,
  bundleId: string,
): Promise<string> {
  const result = await client.request<{ task_id?: unknown } | undefined>(
    "POST",
    `v1/content/${guid}/deploy`,
    { json: { bundle_id: bundleId } },
  );
  const taskId = idFrom(result?.task_id);
  if (taskId === undefined) {
    throw new ReportError(
      `Connect accepted the deploy of bundle ${bundleId}, but its reply has no task id, so the deploy cannot be followed`,
      {
        hint: "See whether the deploy finished in the content's Logs panel on Connect. Check that CONNECT_SERVER points at Connect itself, not a proxy that rewrites replies.",
      },
    );
  }
  return taskId;
}

/** Claim a vanity path such as "/sales/"; leading and trailing slashes are added. */
export function setVanity(client: ConnectClient, guid: string, path: string): Promise<unknown> {
  return client.request("PUT", `v1/content/${guid}/vanity`, {
    json: { path: normalizeVanity(path), force: false },
    idempotent: true,
  });
}

/** "/sales/", from "sales", "/sales" or "sales/". */
export function normalizeVanity(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, "");
  if (!trimmed || !/^[A-Za-z0-9_./-]+$/.test(trimmed)) {
    throw new ReportError(`Invalid vanity path "${path}"`, {
      hint: "Use letters, digits, '-', '_' and '/', e.g. --vanity /sales-report/",
    });
  }
  return `/${trimmed}/`;
}

export interface TaskOptions {
  /** Seconds the server may hold each poll (long poll); default 1, as rsconnect-python. */
  waitSeconds?: number;
  /** Give up after this long; default DEFAULT_DEPLOY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Shortest time from one poll to the next (default 250 ms), doubling while the log is quiet. */
  minIntervalMs?: number;
  /** Longest time between polls; default 5 s. */
  maxIntervalMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Where the deploy can be watched, for the message when it does not finish in time. */
  logsUrl?: string;
}

/** How long `publish` follows a deploy task by default: 30 minutes. */
export const DEFAULT_DEPLOY_TIMEOUT_MS = 30 * 60_000;

/** Longest task log line printed; the rest is cut with "…". */
const MAX_LOG_LINE = 2000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "90 s", "5 min", "1 h 30 min": a duration as a message says it. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

/**
 * Follow a task to its end, logging each output line (filtered: server-text.ts); throws with
 * its error and last lines. Polls are spaced by the server's long poll or, when the server
 * answers at once, by a pause that grows while the log is quiet; the whole is bounded by
 * `timeoutMs`.
 */
export async function followTask(
  client: ConnectClient,
  taskId: string,
  log: Logger,
  options: TaskOptions = {},
): Promise<Task> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS;
  const minInterval = options.minIntervalMs ?? 250;
  const maxInterval = Math.max(minInterval, options.maxIntervalMs ?? 5000);
  const waitSeconds = options.waitSeconds ?? 1;
  const deadline = now().getTime() + timeoutMs;
  const tail: string[] = [];
  let first = 0;
  let interval = minInterval;
  for (;;) {
    const started = now().getTime();
    const left = deadline - started;
    if (left <= 0) {
      const where = options.logsUrl ? ` (${options.logsUrl})` : "";
      throw new ReportError(
        `Connect's deploy task ${taskId} did not finish within ${formatDuration(timeoutMs)}`,
        {
          hint: `The deploy may still complete: see the content's Logs panel${where}. To wait longer, pass --deploy-timeout SECONDS or set CONNECT_DEPLOY_TIMEOUT.`,
        },
      );
    }
    const wait = Math.max(0, Math.min(waitSeconds, Math.floor(left / 1000)));
    const task = await client.request<Task>("GET", `v1/tasks/${taskId}`, {
      query: { first, wait },
      // The server holds a long poll for `wait` seconds; allow that and a little more.
      timeoutMs: wait * 1000 + Math.max(left, 1000),
    });
    const output = Array.isArray(task?.output) ? task.output : [];
    for (const raw of output) {
      const line = client.quote(String(raw), MAX_LOG_LINE);
      log.info(`  ${line}`);
      tail.push(line);
      if (tail.length > 10) tail.shift();
    }
    if (typeof task?.last === "number" && Number.isSafeInteger(task.last) && task.last >= first)
      first = task.last;
    if (task?.finished === true) {
      if (task.code !== 0 || task.error) {
        const lines = tail.length ? `\nLast lines of the task log:\n  ${tail.join("\n  ")}` : "";
        const error = task.error ? client.quote(String(task.error)) : "";
        throw new ReportError(
          `Connect could not deploy the bundle (task ${taskId}, code ${client.quote(String(task.code), 20)}): ${error || "no error text"}${lines}`,
          { hint: "The previous bundle stays live. See the full log in the content's Logs panel." },
        );
      }
      return task;
    }
    // New lines mean progress: poll again soon. A quiet log backs off, up to maxInterval.
    interval = output.length > 0 ? minInterval : Math.min(maxInterval, interval * 2);
    const elapsed = now().getTime() - started;
    const pause = Math.min(interval - elapsed, deadline - now().getTime());
    if (pause > 0) await sleep(pause);
  }
}

/**
 * Which content a publish updates: the one a deployment record names (by GUID), the
 * caller's content with this name (created when missing), or always a new item.
 */
export type DeployTarget =
  | { kind: "record"; guid: string; where: string }
  | { kind: "name" }
  | { kind: "new" };

export interface DeployRequest {
  name: string;
  title: string;
  description?: string;
  bundle: Uint8Array;
  /** The bundle's app mode; content deployed as another mode is refused. */
  appMode?: string;
  vanity?: string;
  /** Default: by name. */
  target?: DeployTarget;
  /**
   * Called once the content is found or created and its title set, before the upload: to
   * record it and to set what its first render needs (variables, integration).
   */
  onContent?: (item: ContentItem) => Promise<void>;
}

export interface DeployResult {
  guid: string;
  name: string;
  created: boolean;
  bundleId: string;
  taskId: string;
  contentUrl: string;
  dashboardUrl: string;
  vanityUrl?: string;
}

/** Find or create the caller's content named `name`, handling a 409 duplicate name. */
export async function findOrCreateContent(
  client: ConnectClient,
  request: { name: string; title: string; description?: string },
  log: Logger,
): Promise<{ item: ContentItem; created: boolean }> {
  const user = await currentUser(client);
  const [mine] = await findContent(client, request.name, user.guid);
  if (mine) return { item: mine, created: false };
  try {
    const item = await createContent(client, {
      name: request.name,
      title: request.title,
      ...(request.description ? { description: request.description } : {}),
    });
    return { item, created: true };
  } catch (error) {
    if (!(error instanceof ConnectApiError && error.status === 409)) throw error;
    if (error.code !== undefined && error.code !== DUPLICATE_NAME) throw error;
    // Someone created it meanwhile, or the server keeps names unique across owners.
    const [again] = await findContent(client, request.name, user.guid);
    if (again) return { item: again, created: false };
    log.verbose(`content name "${request.name}" is taken by another owner`);
    throw new ReportError(
      `Connect already has content named "${request.name}" that belongs to someone else (${error.serverMessage})`,
      {
        hint: "Pick another name with --name, or ask the owner to add you as a collaborator.",
      },
    );
  }
}

/** The content a deployment record names; a clear error when it is gone or not the caller's. */
export async function recordedContent(
  client: ConnectClient,
  guid: string,
  where: string,
): Promise<ContentItem> {
  try {
    return await getContent(client, guid);
  } catch (error) {
    if (error instanceof ConnectApiError && (error.status === 404 || error.status === 403)) {
      throw new ReportError(
        `The content recorded in ${where} (${guid}) ${error.status === 404 ? "no longer exists on the server" : "is not accessible with this API key"}`,
        {
          hint: "Publish with --new to create a new content item (the record is then replaced), or restore access to the recorded one.",
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Always a new content item (`--new`): `name`, or `name-2`, `name-3`… when the caller (or,
 * on some servers, anyone) already has content with that name.
 */
export async function createNewContent(
  client: ConnectClient,
  request: { name: string; title: string; description?: string },
): Promise<ContentItem> {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : `-${n}`;
    const name = `${request.name.slice(0, 64 - suffix.length)}${suffix}`;
    try {
      return await createContent(client, {
        name,
        title: request.title,
        ...(request.description ? { description: request.description } : {}),
      });
    } catch (error) {
      const duplicate =
        error instanceof ConnectApiError &&
        error.status === 409 &&
        (error.code === undefined || error.code === DUPLICATE_NAME);
      if (!duplicate || n >= 20) throw error;
    }
  }
}

/** Publish a bundle: find or create the content, upload, deploy, follow the task, set vanity. */
export async function deployContent(
  client: ConnectClient,
  request: DeployRequest,
  log: Logger,
  taskOptions: TaskOptions = {},
): Promise<DeployResult> {
  const target = request.target ?? { kind: "name" };
  const { item, created } =
    target.kind === "record"
      ? { item: await recordedContent(client, target.guid, target.where), created: false }
      : target.kind === "new"
        ? { item: await createNewContent(client, request), created: true }
        : await findOrCreateContent(client, request, log);
  const deployedMode = typeof item.app_mode === "string" ? item.app_mode : "unknown";
  if (request.appMode && deployedMode !== "unknown" && deployedMode !== request.appMode) {
    throw new ReportError(
      `Content "${client.quote(String(item.name), 100)}" is deployed as ${client.quote(deployedMode, 40)}; this bundle is ${request.appMode}, and Connect does not change a content item's type`,
      { hint: "Publish with --new to create a separate content item for this mode." },
    );
  }
  log.info(
    `${created ? "Created" : "Updating"} content "${client.quote(String(item.name), 100)}" (${client.quote(String(item.guid), 60)})`,
  );
  // Only what was asked for: a description set in the dashboard survives a publish without
  // --description.
  const changes: { title?: string; description?: string } = {};
  if (item.title !== request.title) changes.title = request.title;
  if (request.description !== undefined && item.description !== request.description)
    changes.description = request.description;
  if (Object.keys(changes).length > 0) await updateContent(client, item.guid, changes);
  await request.onContent?.(item);
  const bundleId = await uploadBundle(client, item.guid, request.bundle);
  log.info(`Uploaded bundle ${bundleId} (${request.bundle.length} bytes)`);
  const taskId = await deployBundle(client, item.guid, bundleId);
  log.info(`Deploying (task ${taskId})`);
  const logsUrl =
    typeof item.dashboard_url === "string" ? client.quote(`${item.dashboard_url}/logs`) : undefined;
  await followTask(client, taskId, log, { logsUrl, ...taskOptions });
  let vanityUrl: string | undefined;
  if (request.vanity) {
    const path = normalizeVanity(request.vanity);
    await setVanity(client, item.guid, path);
    vanityUrl = `${client.serverUrl}${path}`;
  }
  return {
    guid: item.guid,
    name: client.quote(String(item.name), 100),
    created,
    bundleId,
    taskId,
    contentUrl: client.quote(String(item.content_url)),
    dashboardUrl: client.quote(String(item.dashboard_url)),
    vanityUrl,
  };
}
