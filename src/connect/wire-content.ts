// Wiring rendered content so its renders work on Connect without clicks in the dashboard.
// Before the upload (Connect renders a Quarto project while deploying it, so the first render
// needs them): environment variables and the AWS integration. After the deploy, once the
// content has its default variant: the schedule and its email. Each step is printed; a step
// that fails is explained (permission, a server too old for the API, an unknown integration)
// and the next steps still run: nothing that succeeded is undone.
import type { EnvReference } from "../config/env.ts";
import type { Logger } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { ConnectApiError, type ConnectClient } from "./client.ts";
import { contentEnvNames, type EnvSetting, setContentEnv } from "./content-env.ts";
import { serverVersion } from "./exchange.ts";
import {
  associateIntegration,
  chooseIntegration,
  describeIntegration,
  fitsRenderedAws,
  getAssociations,
  integrationsUnsupported,
  listIntegrations,
} from "./integrations.ts";
import {
  applySchedule,
  defaultVariant,
  type SchedulePlan,
  scheduleApiMissing,
  scheduleBody,
} from "./schedules.ts";

/** What to wire; see `wireBeforeDeploy` and `wireAfterDeploy` for which part runs when. */
export interface WiringRequest {
  /** `--env` settings (values are never printed). */
  env: readonly EnvSetting[];
  /** The `${VAR}` names the definition reads, to warn for each one unset on the content. */
  definitionVars: readonly EnvReference[];
  /** `--integration NAME|GUID`; when absent, the fitting integrations are listed. */
  integration?: string;
  schedule?: SchedulePlan;
  /** Connect emails the content's subscribers after each scheduled render. */
  emailSubscribers: boolean;
}

/** Variables Connect itself sets for content (docs/design/connect-api.md §4): never warned about. */
const PROVIDED = /^(CONNECT_|RSC_|POSIT_PRODUCT$|RSTUDIO_PRODUCT$|QUARTO_)/;

/** Run one step: a ReportError is printed and counted, not thrown. */
async function step(log: Logger, failures: string[], name: string, run: () => Promise<void>) {
  try {
    await run();
  } catch (error) {
    if (!isReportError(error)) throw error;
    failures.push(name);
    log.info(`${name}: failed: ${error.message}`);
    if (error.hint) log.info(`  hint: ${error.hint}`);
  }
}

function permissionHint(error: unknown, what: string): never {
  if (error instanceof ConnectApiError && error.status === 403) {
    throw new ReportError(`no permission to ${what} (HTTP 403: ${error.serverMessage})`, {
      hint: "Only the content's owner, its collaborators or an administrator can do this; ask one of them, or publish with their API key.",
      cause: error,
    });
  }
  throw error;
}

/**
 * Variables and integration, before the upload; returns the names of the steps that failed
 * (empty when all went well).
 */
export async function wireBeforeDeploy(
  client: ConnectClient,
  guid: string,
  request: WiringRequest,
  log: Logger,
): Promise<string[]> {
  const failures: string[] = [];

  await step(log, failures, "Variables", async () => {
    if (request.env.length) {
      await setContentEnv(client, guid, request.env).catch((e) =>
        permissionHint(e, "set the content's variables"),
      );
      log.info(`Variables: set ${request.env.map((s) => s.name).join(", ")} (values not shown)`);
    }
    const names = new Set(
      await contentEnvNames(client, guid).catch((e) =>
        permissionHint(e, "read the content's variables"),
      ),
    );
    for (const ref of request.definitionVars) {
      if (names.has(ref.name) || PROVIDED.test(ref.name)) continue;
      log.warn(
        ref.hasDefault
          ? `${ref.name} is not set on the content; the definition's default applies`
          : `${ref.name} is read by the report definition but not set on the content: set it with --env ${ref.name}=... or in the Vars panel`,
      );
    }
  });

  await step(log, failures, "Integration", async () => {
    let integrations: Awaited<ReturnType<typeof listIntegrations>>;
    try {
      integrations = await listIntegrations(client);
    } catch (error) {
      if (!integrationsUnsupported(error)) throw error;
      const version = await serverVersion(client);
      throw new ReportError(
        `Connect${version ? ` ${version}` : ""} is too old for the OAuth integration API (HTTP 404)`,
        {
          hint: "Give the report AWS credentials another way (e.g. AWS_* variables with --env), or upgrade Connect (posit-sdk-py needs 2024.08 or later for integrations).",
          cause: error,
        },
      );
    }
    if (request.integration) {
      const chosen = chooseIntegration(client, integrations, request.integration);
      if (!fitsRenderedAws(chosen))
        log.warn(
          `${describeIntegration(client, chosen)} is not an AWS Service Account integration; a rendered report exchanges its content session token only through one`,
        );
      const added = await associateIntegration(client, guid, chosen).catch((e) =>
        permissionHint(e, "change the content's integrations"),
      );
      log.info(
        `Integration: ${describeIntegration(client, chosen)} ${added ? "associated" : "already associated"}`,
      );
      return;
    }
    const associated = await getAssociations(client, guid);
    const fitting = integrations.filter(fitsRenderedAws);
    const linked = fitting.filter((i) =>
      associated.some((a) => a.oauth_integration_guid === i.guid),
    );
    if (linked.length) {
      log.info(
        `Integration: ${linked.map((i) => describeIntegration(client, i)).join("; ")} associated`,
      );
    } else if (fitting.length) {
      log.info(
        `Integration: none associated. AWS integrations that fit: ${fitting.map((i) => describeIntegration(client, i)).join("; ")}; pass --integration NAME|GUID`,
      );
    } else {
      log.info(
        "Integration: none associated, and this server has no AWS Service Account integration (ask an administrator to add one)",
      );
    }
  });

  return failures;
}

/** The schedule, after the deploy; returns the names of the steps that failed. */
export async function wireAfterDeploy(
  client: ConnectClient,
  guid: string,
  request: WiringRequest,
  log: Logger,
): Promise<string[]> {
  const failures: string[] = [];
  const schedule = request.schedule;
  if (schedule) {
    await step(log, failures, "Schedule", async () => {
      let outcome: "created" | "updated";
      try {
        const variant = await defaultVariant(client, guid);
        outcome = await applySchedule(
          client,
          variant,
          scheduleBody(schedule, request.emailSubscribers),
        );
      } catch (error) {
        if (scheduleApiMissing(error)) {
          const version = await serverVersion(client);
          throw new ReportError(
            `Connect${version ? ` ${version}` : ""} is too old for the schedule API (HTTP 404 from its variant and schedule endpoints)`,
            {
              hint: "Set the schedule in the content's Schedule panel on Connect (and tick 'Send email after update' to email subscribers).",
              cause: error,
            },
          );
        }
        permissionHint(error, "schedule this content");
      }
      log.info(
        `Schedule: ${outcome} ${schedule.description}, first run ${schedule.start_time}${request.emailSubscribers ? ", emailing subscribers after each run" : ""}`,
      );
    });
  }
  return failures;
}
