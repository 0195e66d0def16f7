// Connect's deploy API for the test server (docs/design/connect-api.md §2): /v1/user, content
// create/find/get/update, bundle upload (checked like Connect would: gzip tar, manifest.json at
// the root, every MD5, the primary document present), deploy, tasks with first/wait paging,
// and vanity paths. Task outcomes are scriptable per test.
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";
import { type ConnectTestServer, sendError, sendJson } from "./connect.ts";

export interface ContentRecord {
  guid: string;
  name: string;
  title: string | null;
  description: string;
  owner_guid: string;
  app_mode: string;
  bundle_id: string | null;
  created_time: string;
  last_deployed_time: string | null;
  content_url: string;
  dashboard_url: string;
}

export interface BundleRecord {
  id: string;
  contentGuid: string;
  size: number;
  /** Archive entries by path, manifest.json included. */
  entries: Map<string, Buffer>;
  manifest: {
    metadata: { appmode: string; primary_html?: string; entrypoint?: string };
    quarto?: { version: string; engines: string[] };
    files: Record<string, { checksum: string }>;
  };
}

/** What a deploy task does: its log lines, exit code and error text, or a fault. */
export interface TaskScript {
  output?: string[];
  code?: number;
  error?: string;
  /** The task never finishes, and its polls answer at once (the `wait` is ignored). */
  neverFinishes?: boolean;
  /** The deploy is accepted (202) with a reply that has no `task_id`. */
  noTaskId?: boolean;
  /** Log lines each poll reveals; 1 by default (each poll pauses the client 250 ms or more). */
  linesPerPoll?: number;
}

interface TaskRecord {
  id: string;
  contentGuid: string;
  bundleId: string;
  output: string[];
  code: number;
  error: string;
  /** Lines revealed so far; one more per poll, so a client must page with `first`. */
  revealed: number;
  linesPerPoll: number;
  neverFinishes: boolean;
}

export interface DeployState {
  content: Map<string, ContentRecord>;
  bundles: Map<string, BundleRecord>;
  vanities: Map<string, string>;
  /** Every `first` query value the task endpoint received, in order. */
  taskPolls: { id: string; first: number; wait: number }[];
  /** Outcomes for the next deploys, in order; a success with two lines when empty. */
  nextTasks: TaskScript[];
  /** Seed content owned by someone else. */
  addForeignContent(name: string): ContentRecord;
}

const OTHER_OWNER = "5e3a1c2b-0000-4000-8000-0000000000ff";

/** A tar reader written independently of src/connect/tar.ts, strict about checksums. */
export function readTarGz(bytes: Buffer): Map<string, Buffer> {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new Error("bundle is not gzip-compressed");
  }
  const entries = new Map<string, Buffer>();
  let offset = 0;
  const text = (start: number, length: number) => {
    const field = raw.subarray(offset + start, offset + start + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString("utf8");
  };
  while (offset + 512 <= raw.length) {
    const block = raw.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) return entries;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
    const stored = Number.parseInt(text(148, 8).trim(), 8);
    if (stored !== sum) throw new Error(`tar header checksum mismatch at offset ${offset}`);
    if (text(257, 6) !== "ustar") throw new Error("not a ustar archive");
    const name = text(0, 100);
    const prefix = text(345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = Number.parseInt(text(124, 12).trim(), 8);
    const type = String.fromCharCode(block[156]);
    const data = raw.subarray(offset + 512, offset + 512 + size);
    if (data.length !== size) throw new Error(`tar entry ${path} is truncated`);
    if (type === "0" || type === "\0") entries.set(path.replace(/^\.\//, ""), Buffer.from(data));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("tar archive has no end-of-archive blocks");
}

/** Check a bundle the way Connect's deploy would; returns the problem, or the record. */
function checkBundle(bytes: Buffer): { problem: string } | { entries: Map<string, Buffer> } {
  let entries: Map<string, Buffer>;
  try {
    entries = readTarGz(bytes);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const manifestBytes = entries.get("manifest.json");
  if (!manifestBytes) return { problem: "manifest.json is missing from the bundle root" };
  let manifest: BundleRecord["manifest"];
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8"));
  } catch {
    return { problem: "manifest.json is not valid JSON" };
  }
  for (const [path, { checksum }] of Object.entries(manifest.files ?? {})) {
    const data = entries.get(path);
    if (!data) return { problem: `manifest lists ${path}, which is not in the bundle` };
    const actual = createHash("md5").update(data).digest("hex");
    if (actual !== checksum) return { problem: `checksum mismatch for ${path}` };
  }
  const mode = manifest.metadata?.appmode;
  if (mode === "static") {
    const primary = manifest.metadata.primary_html;
    if (!primary || !entries.has(primary)) return { problem: "primary_html is not in the bundle" };
  } else if (mode === "quarto-static") {
    const entry = manifest.metadata.entrypoint;
    if (entry && !entries.has(entry))
      return { problem: `entrypoint ${entry} is not in the bundle` };
    if (!entries.has("_quarto.yml")) return { problem: "quarto project has no _quarto.yml" };
  } else {
    return { problem: `unsupported appmode ${String(mode)}` };
  }
  return { entries };
}

function callerGuid(server: ConnectTestServer, req: IncomingMessage): string {
  const key = (req.headers.authorization ?? "").replace(/^Key /, "");
  return server.apiKeys.get(key)?.guid ?? "";
}

function readJson(body: Buffer): Record<string, unknown> {
  return body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
}

/** Add the deploy routes to a Connect test server. */
export function addDeployRoutes(
  server: ConnectTestServer,
  options: { namesUniqueAcrossOwners?: boolean } = {},
): DeployState {
  const content = new Map<string, ContentRecord>();
  const bundles = new Map<string, BundleRecord>();
  const tasks = new Map<string, TaskRecord>();
  const vanities = new Map<string, string>();
  let nextId = 100;

  const makeContent = (name: string, owner: string, title: string | null, description = "") => {
    const guid = randomUUID();
    const record: ContentRecord = {
      guid,
      name,
      title,
      description,
      owner_guid: owner,
      app_mode: "unknown",
      bundle_id: null,
      created_time: new Date().toISOString(),
      last_deployed_time: null,
      content_url: `${server.url}/content/${guid}/`,
      dashboard_url: `${server.url}/connect/#/apps/${guid}`,
    };
    content.set(guid, record);
    return record;
  };

  const state: DeployState = {
    content,
    bundles,
    vanities,
    taskPolls: [],
    nextTasks: [],
    addForeignContent: (name) => makeContent(name, OTHER_OWNER, name),
  };

  server.route("GET", /^\/v1\/user$/, ({ req, res }) => {
    const key = (req.headers.authorization ?? "").replace(/^Key /, "");
    const user = server.apiKeys.get(key);
    sendJson(res, 200, {
      guid: user?.guid,
      username: user?.username,
      email: "",
      user_role: "publisher",
    });
  });

  server.route("GET", /^\/v1\/content$/, ({ res, url }) => {
    const name = url.searchParams.get("name");
    const owner = url.searchParams.get("owner_guid");
    const items = [...content.values()].filter(
      (c) => (!name || c.name === name) && (!owner || c.owner_guid === owner),
    );
    sendJson(res, 200, items);
  });

  server.route("POST", /^\/v1\/content$/, ({ req, res, body }) => {
    const fields = readJson(body);
    const name = String(fields.name ?? "");
    const owner = callerGuid(server, req);
    if (!/^[A-Za-z0-9_-]{3,64}$/.test(name)) {
      sendError(res, 400, `The requested name "${name}" is invalid.`, 5);
      return;
    }
    const clash = [...content.values()].some(
      (c) => c.name === name && (options.namesUniqueAcrossOwners || c.owner_guid === owner),
    );
    if (clash) {
      sendError(res, 409, "An object with that name already exists.", 26);
      return;
    }
    const record = makeContent(
      name,
      owner,
      typeof fields.title === "string" ? fields.title : null,
      typeof fields.description === "string" ? fields.description : "",
    );
    sendJson(res, 200, record);
  });

  const contentRoute = /^\/v1\/content\/([0-9a-f-]{36})$/;
  server.route("GET", contentRoute, ({ res, params }) => {
    const record = content.get(params[0]);
    if (record) sendJson(res, 200, record);
    else sendError(res, 404, "Content not found.", 4);
  });

  server.route("PATCH", contentRoute, ({ req, res, params, body }) => {
    const record = content.get(params[0]);
    if (!record) return sendError(res, 404, "Content not found.", 4);
    if (record.owner_guid !== callerGuid(server, req)) {
      return sendError(res, 403, "You do not have permission to perform this operation.", 6);
    }
    const fields = readJson(body);
    if (typeof fields.title === "string") record.title = fields.title;
    if (typeof fields.description === "string") record.description = fields.description;
    sendJson(res, 200, record);
  });

  server.route("POST", /^\/v1\/content\/([0-9a-f-]{36})\/bundles$/, ({ res, params, body }) => {
    const record = content.get(params[0]);
    if (!record) return sendError(res, 404, "Content not found.", 4);
    const checked = checkBundle(body);
    if ("problem" in checked) return sendError(res, 400, `Invalid bundle: ${checked.problem}`, 30);
    const id = String(nextId++);
    const manifest = JSON.parse(checked.entries.get("manifest.json")!.toString("utf8"));
    bundles.set(id, {
      id,
      contentGuid: record.guid,
      size: body.length,
      entries: checked.entries,
      manifest,
    });
    sendJson(res, 200, {
      id,
      content_guid: record.guid,
      created_time: new Date().toISOString(),
      active: false,
      size: body.length,
      metadata: { archive_md5: createHash("md5").update(body).digest("hex") },
    });
  });

  server.route("POST", /^\/v1\/content\/([0-9a-f-]{36})\/deploy$/, ({ res, params, body }) => {
    const record = content.get(params[0]);
    if (!record) return sendError(res, 404, "Content not found.", 4);
    const bundleId = String(readJson(body).bundle_id ?? "");
    if (bundles.get(bundleId)?.contentGuid !== record.guid) {
      return sendError(res, 404, `Bundle ${bundleId} not found for this content.`, 4);
    }
    const script = state.nextTasks.shift() ?? {};
    if (script.noTaskId) return sendJson(res, 202, { bundle_id: bundleId });
    const id = randomUUID().replace(/-/g, "").slice(0, 16);
    tasks.set(id, {
      id,
      contentGuid: record.guid,
      bundleId,
      output: script.output ?? ["Building static content...", "Launching static content..."],
      code: script.code ?? 0,
      error: script.error ?? "",
      revealed: 0,
      linesPerPoll: script.linesPerPoll ?? 1,
      neverFinishes: script.neverFinishes ?? false,
    });
    sendJson(res, 202, { task_id: id });
  });

  server.route("GET", /^\/v1\/tasks\/([A-Za-z0-9]+)$/, async ({ res, params, url }) => {
    const task = tasks.get(params[0]);
    if (!task) return sendError(res, 404, "Task not found.", 4);
    const first = Number(url.searchParams.get("first") ?? 0);
    const wait = Number(url.searchParams.get("wait") ?? 0);
    state.taskPolls.push({ id: task.id, first, wait });
    if (wait > 0 && !task.neverFinishes) await new Promise((resolve) => setTimeout(resolve, 5));
    task.revealed = Math.min(task.output.length, task.revealed + task.linesPerPoll);
    const finished = task.revealed === task.output.length && !task.neverFinishes;
    if (finished && task.code === 0) {
      const record = content.get(task.contentGuid)!;
      const bundle = bundles.get(task.bundleId)!;
      record.bundle_id = task.bundleId;
      record.app_mode = bundle.manifest.metadata.appmode;
      record.last_deployed_time = new Date().toISOString();
    }
    sendJson(res, 200, {
      id: task.id,
      output: task.output.slice(first, task.revealed),
      finished,
      code: finished ? task.code : 0,
      error: finished ? task.error : "",
      last: task.revealed,
      result: null,
    });
  });

  const vanityRoute = /^\/v1\/content\/([0-9a-f-]{36})\/vanity$/;
  server.route("PUT", vanityRoute, ({ res, params, body }) => {
    const record = content.get(params[0]);
    if (!record) return sendError(res, 404, "Content not found.", 4);
    const path = String(readJson(body).path ?? "");
    if (!/^\/[A-Za-z0-9_./-]+\/$/.test(path)) return sendError(res, 400, "Invalid vanity path.", 5);
    const holder = vanities.get(path);
    if (holder && holder !== record.guid) {
      return sendError(res, 409, "The vanity path is in use by other content.", 51);
    }
    for (const [p, guid] of vanities) if (guid === record.guid) vanities.delete(p);
    vanities.set(path, record.guid);
    sendJson(res, 200, { content_guid: record.guid, path, created_time: new Date().toISOString() });
  });

  server.route("GET", vanityRoute, ({ res, params }) => {
    const entry = [...vanities].find(([, guid]) => guid === params[0]);
    if (!entry) return sendError(res, 404, "No vanity path.", 4);
    sendJson(res, 200, { content_guid: entry[1], path: entry[0] });
  });

  return state;
}
