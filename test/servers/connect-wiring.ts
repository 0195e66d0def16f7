// The Connect APIs that wire rendered content, for the test server (docs/design/connect-api.md
// §1.7, §2.3, §3.1): content environment variables (names only on GET), OAuth integrations and
// their associations, server_settings, and the experimental variant and schedule endpoints,
// which an `olderServer` lacks (they answer 404, as on a Connect that predates them). Request
// bodies are checked against the documented shapes; a bad one is answered 400.
import type { ConnectTestServer } from "./connect.ts";
import { sendError, sendJson } from "./connect.ts";
import type { DeployState } from "./connect-deploy.ts";

export interface TestIntegration {
  guid: string;
  name: string;
  description: string;
  template: string;
  auth_type: string;
}

export interface TestSchedule {
  id: number;
  app_id: number;
  variant_id: number;
  type: string;
  /** JSON text, as Connect stores and returns it. */
  schedule: string;
  start_time: string;
  timezone: string;
  activate: boolean;
  email: boolean;
}

export interface WiringState {
  /** Content GUID → variable name → value. */
  env: Map<string, Map<string, string>>;
  integrations: TestIntegration[];
  /** Content GUID → associated integration GUIDs. */
  associations: Map<string, string[]>;
  schedules: TestSchedule[];
  /** Every body the schedule endpoints received, parsed. */
  scheduleBodies: { path: string; body: Record<string, unknown> }[];
  /** Content GUIDs whose owner's key may not change variables (answer 403). */
  envForbidden: Set<string>;
}

const SCHEDULE_SHAPES: Record<string, (s: Record<string, unknown>) => boolean> = {
  minute: (s) => Number.isInteger(s.N) && Number(s.N) > 0,
  hour: (s) => Number.isInteger(s.N) && Number(s.N) > 0,
  day: (s) => Number.isInteger(s.N) && Number(s.N) > 0,
  weekday: (s) => Object.keys(s).length === 0,
  dayofweek: (s) =>
    Array.isArray(s.Days) &&
    s.Days.length > 0 &&
    s.Days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6),
};

/** A schedule body's problem, or undefined when it has the documented shape. */
function scheduleProblem(body: Record<string, unknown>, create: boolean): string | undefined {
  if (create && (typeof body.app_id !== "number" || typeof body.variant_id !== "number"))
    return "app_id and variant_id are required";
  const shape = SCHEDULE_SHAPES[String(body.type)];
  if (!shape) return `unknown schedule type ${String(body.type)}`;
  if (typeof body.schedule !== "string") return "schedule must be a JSON string";
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.schedule);
  } catch {
    return "schedule is not valid JSON";
  }
  if (typeof parsed !== "object" || parsed === null || !shape(parsed as Record<string, unknown>))
    return `schedule ${body.schedule} does not fit type ${String(body.type)}`;
  if (typeof body.start_time !== "string" || Number.isNaN(Date.parse(body.start_time)))
    return "start_time must be a timestamp";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: String(body.timezone) });
  } catch {
    return `unknown timezone ${String(body.timezone)}`;
  }
  if (typeof body.activate !== "boolean" || typeof body.email !== "boolean")
    return "activate and email must be booleans";
  return undefined;
}

function readJson(body: Buffer): unknown {
  return body.length ? JSON.parse(body.toString("utf8")) : undefined;
}

/** Add the wiring routes; `deploy` supplies the content they act on. */
export function addWiringRoutes(
  server: ConnectTestServer,
  deploy: DeployState,
  options: { olderServer?: boolean; version?: string } = {},
): WiringState {
  const state: WiringState = {
    env: new Map(),
    integrations: [],
    associations: new Map(),
    schedules: [],
    scheduleBodies: [],
    envForbidden: new Set(),
  };
  let nextScheduleId = 1;
  const guid = "([0-9a-f-]{36})";

  server.route("GET", /^\/server_settings$/, ({ res }) =>
    sendJson(res, 200, { version: options.version ?? "2026.09.0" }),
  );

  const envRoute = new RegExp(`^/v1/content/${guid}/environment$`);
  server.route("GET", envRoute, ({ res, params }) => {
    if (!deploy.content.has(params[0])) return sendError(res, 404, "Content not found.", 4);
    sendJson(res, 200, [...(state.env.get(params[0])?.keys() ?? [])].sort());
  });
  server.route("PATCH", envRoute, ({ res, params, body }) => {
    if (!deploy.content.has(params[0])) return sendError(res, 404, "Content not found.", 4);
    if (state.envForbidden.has(params[0]))
      return sendError(res, 403, "You do not have permission to perform this operation.", 6);
    const items = readJson(body);
    const ok =
      Array.isArray(items) &&
      items.every(
        (i) =>
          typeof i?.name === "string" &&
          /^[A-Za-z_][A-Za-z0-9_]*$/.test(i.name) &&
          (typeof i.value === "string" || i.value === null),
      );
    if (!ok) return sendError(res, 400, "Expected [{name, value}].", 5);
    const vars = state.env.get(params[0]) ?? new Map<string, string>();
    for (const { name, value } of items as { name: string; value: string | null }[]) {
      if (value === null) vars.delete(name);
      else vars.set(name, value);
    }
    state.env.set(params[0], vars);
    sendJson(res, 200, [...vars.keys()].sort());
  });

  server.route("GET", /^\/v1\/oauth\/integrations$/, ({ res }) => {
    sendJson(
      res,
      200,
      state.integrations.map((i) => ({ ...i, id: "1", config: {}, created_time: "" })),
    );
  });

  const assocRoute = new RegExp(`^/v1/content/${guid}/oauth/integrations/associations$`);
  server.route("GET", assocRoute, ({ res, params }) => {
    if (!deploy.content.has(params[0])) return sendError(res, 404, "Content not found.", 4);
    const guids = state.associations.get(params[0]) ?? [];
    sendJson(
      res,
      200,
      guids.map((g) => {
        const i = state.integrations.find((x) => x.guid === g);
        return {
          app_guid: params[0],
          oauth_integration_guid: g,
          oauth_integration_name: i?.name,
          oauth_integration_description: i?.description,
          oauth_integration_template: i?.template,
          created_time: "",
        };
      }),
    );
  });
  server.route("PUT", assocRoute, ({ res, params, body }) => {
    if (!deploy.content.has(params[0])) return sendError(res, 404, "Content not found.", 4);
    const items = readJson(body);
    const ok =
      Array.isArray(items) &&
      items.every(
        (i) =>
          typeof i?.oauth_integration_guid === "string" &&
          state.integrations.some((x) => x.guid === i.oauth_integration_guid),
      );
    if (!ok)
      return sendError(res, 400, "Expected [{oauth_integration_guid}] of known integrations.", 5);
    state.associations.set(
      params[0],
      (items as { oauth_integration_guid: string }[]).map((i) => i.oauth_integration_guid),
    );
    res.writeHead(204).end();
  });

  if (options.olderServer) return state;

  // Content ids are the position in the map, plus one (Connect's numeric app id).
  const appId = (g: string) => [...deploy.content.keys()].indexOf(g) + 1;
  server.route("GET", new RegExp(`^/applications/${guid}/variants$`), ({ res, params }) => {
    const item = deploy.content.get(params[0]);
    if (!item) return sendError(res, 404, "Content not found.", 4);
    // A rendered item has its default variant once deployed.
    if (item.app_mode !== "quarto-static" || !item.bundle_id) return sendJson(res, 200, []);
    const id = appId(params[0]);
    sendJson(res, 200, [
      {
        id: 1000 + id,
        app_id: id,
        key: `v${id}`,
        bundle_id: Number(item.bundle_id),
        is_default: true,
        rendering_id: null,
      },
    ]);
  });
  server.route("GET", /^\/variants\/(\d+)\/schedules$/, ({ res, params }) => {
    sendJson(
      res,
      200,
      state.schedules.filter((s) => s.variant_id === Number(params[0])),
    );
  });
  const store = (body: Record<string, unknown>, into: Partial<TestSchedule>) =>
    Object.assign(into, {
      type: body.type,
      schedule: body.schedule,
      start_time: body.start_time,
      timezone: body.timezone,
      activate: body.activate,
      email: body.email,
    });
  server.route("POST", /^\/schedules$/, ({ res, body }) => {
    const fields = (readJson(body) ?? {}) as Record<string, unknown>;
    state.scheduleBodies.push({ path: "/schedules", body: fields });
    const problem = scheduleProblem(fields, true);
    if (problem) return sendError(res, 400, problem, 5);
    const record = store(fields, {
      id: nextScheduleId++,
      app_id: fields.app_id as number,
      variant_id: fields.variant_id as number,
    }) as TestSchedule;
    state.schedules.push(record);
    sendJson(res, 200, record);
  });
  server.route("POST", /^\/schedules\/(\d+)$/, ({ res, params, body }) => {
    const fields = (readJson(body) ?? {}) as Record<string, unknown>;
    state.scheduleBodies.push({ path: `/schedules/${params[0]}`, body: fields });
    const record = state.schedules.find((s) => s.id === Number(params[0]));
    if (!record) return sendError(res, 404, "Schedule not found.", 4);
    const problem = scheduleProblem(fields, false);
    if (problem) return sendError(res, 400, problem, 5);
    sendJson(res, 200, store(fields, record));
  });
  return state;
}
