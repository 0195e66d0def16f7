// OAuth integrations and their association with content (docs/design/connect-api.md §5.3, §1.7):
// a rendered report exchanges its content session token for AWS credentials only through an
// integration associated with the content, so `publish --integration` makes that link.
import { ReportError } from "../errors.ts";
import { ConnectApiError, type ConnectClient } from "./client.ts";

/** An integration as `GET /v1/oauth/integrations` lists it (fields this tool reads). */
export interface Integration {
  guid: string;
  name: string;
  description?: string | null;
  /** The provider template, e.g. "aws", "connect", "github". */
  template?: string;
  /** "Viewer", "Service Account", … */
  auth_type?: string;
}

/** One association as the content's associations endpoint returns it. */
export interface IntegrationAssociation {
  app_guid?: string;
  oauth_integration_guid: string;
  oauth_integration_name?: string;
  oauth_integration_template?: string;
}

/** The server's integrations (any publisher may list them). */
export async function listIntegrations(client: ConnectClient): Promise<Integration[]> {
  const items = await client.request<unknown>("GET", "v1/oauth/integrations");
  return Array.isArray(items)
    ? items.filter(
        (i): i is Integration => typeof i?.guid === "string" && typeof i?.name === "string",
      )
    : [];
}

/**
 * Whether an integration can give a rendered report AWS credentials: the AWS template, and
 * not a Viewer integration (a rendered report has no viewer session; connect-api.md §1.3).
 */
export function fitsRenderedAws(integration: Integration): boolean {
  const template = (integration.template ?? "").toLowerCase();
  const auth = (integration.auth_type ?? "").toLowerCase();
  return template === "aws" && auth !== "viewer";
}

/** "Name (guid, template, auth type)" for a list in a message. */
export function describeIntegration(client: ConnectClient, i: Integration): string {
  const details = [i.guid, i.template, i.auth_type].filter(Boolean).map(String);
  return `${client.quote(i.name, 100)} (${client.quote(details.join(", "), 160)})`;
}

/** Pick the integration named (or with the GUID) `wanted`: one, or an error saying why not. */
export function chooseIntegration(
  client: ConnectClient,
  integrations: readonly Integration[],
  wanted: string,
): Integration {
  const byGuid = integrations.find((i) => i.guid.toLowerCase() === wanted.toLowerCase());
  if (byGuid) return byGuid;
  const byName = integrations.filter((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    throw new ReportError(
      `${byName.length} integrations on the server are named "${wanted}": ${byName.map((i) => describeIntegration(client, i)).join("; ")}`,
      { hint: "Pass the GUID of the one to use: --integration <guid>." },
    );
  }
  const fitting = integrations.filter(fitsRenderedAws);
  const list = (fitting.length ? fitting : integrations).map((i) => describeIntegration(client, i));
  throw new ReportError(`Unknown integration "${wanted}": no integration has that name or GUID`, {
    hint: list.length
      ? `${fitting.length ? "AWS integrations that fit" : "Integrations on this server"}: ${list.join("; ")}.`
      : "This server has no OAuth integrations; ask an administrator to add an AWS Service Account integration.",
  });
}

/** The content's associated integrations. */
export async function getAssociations(
  client: ConnectClient,
  guid: string,
): Promise<IntegrationAssociation[]> {
  const items = await client.request<unknown>(
    "GET",
    `v1/content/${guid}/oauth/integrations/associations`,
  );
  return Array.isArray(items)
    ? items.filter(
        (a): a is IntegrationAssociation => typeof a?.oauth_integration_guid === "string",
      )
    : [];
}

/**
 * Associate `integration` with the content, keeping the associations it already has (the
 * PUT replaces the whole set). Returns false when it was already associated.
 */
export async function associateIntegration(
  client: ConnectClient,
  guid: string,
  integration: Integration,
): Promise<boolean> {
  const current = await getAssociations(client, guid);
  if (current.some((a) => a.oauth_integration_guid === integration.guid)) return false;
  const guids = [...current.map((a) => a.oauth_integration_guid), integration.guid];
  await client.request("PUT", `v1/content/${guid}/oauth/integrations/associations`, {
    json: guids.map((oauth_integration_guid) => ({ oauth_integration_guid })),
    idempotent: true,
  });
  return true;
}

/** A 404 from the integration endpoints means the server predates OAuth integrations. */
export function integrationsUnsupported(error: unknown): boolean {
  return error instanceof ConnectApiError && error.status === 404;
}
