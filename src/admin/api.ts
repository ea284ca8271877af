// `login.rules` and `login.users` without Express: the rule admin and the user admin over the data layer. The router
// builds them with its MFA module's reset; the CLI builds them alone (`headlessAdminApi`), with the same classes,
// the same validation and the same reset, but none of the pages, Passport or the login flows.
import { parseConfig, type ResolvedConfig, type WorkosLoginConfig } from '../config.ts';
import type { EventSink } from '../context.ts';
import { ruleCatalog, type RuleCatalog } from '../core/rules.ts';
import type { AdminRepositories } from '../db/admin-ports.ts';
import { createAdminRepositories } from '../db/admin.ts';
import { createRepositories } from '../db/index.ts';
import type { Repositories } from '../db/ports.ts';
import { LoginEvents } from '../events.ts';
import { FactorsApi } from '../mfa/factors-api.ts';
import { resetMfa, type MfaResetResult } from '../mfa/reset.ts';
import { MfaStore } from '../mfa/store.ts';
import { RuleAdmin } from '../rules/admin-api.ts';
import { BUILTIN_RULE_ENTRIES } from '../rule-entries.ts';
import { UserAdmin } from '../users/admin-api.ts';
import { WorkosGateway } from '../workos/client.ts';

export interface AdminApi {
  rules: RuleAdmin;
  users: UserAdmin;
  /** The admin's repositories (the pages read factors through them). */
  admin: AdminRepositories;
}

export interface AdminApiParts {
  config: Readonly<ResolvedConfig>;
  repos: Repositories;
  catalog: RuleCatalog;
  events: EventSink;
  now: () => number;
  resetMfa(userId: number): Promise<MfaResetResult | null>;
}

export function createAdminApi(parts: AdminApiParts): AdminApi {
  const { config, repos, catalog, events, now } = parts;
  const admin = createAdminRepositories(config.prisma, config);
  const rules = new RuleAdmin(repos.rules, repos.users, config.logger, catalog, now, admin, events);
  const users = new UserAdmin({
    users: repos.users,
    rows: admin.users,
    rules,
    events,
    logger: config.logger,
    now,
    resetMfa: parts.resetMfa,
    ...(config.admin.recentLogins && { recentLogins: config.admin.recentLogins }),
  });
  return { rules, users, admin };
}

/** The admin API on its own, for the CLI: the built-in methods, the config as given, WorkOS through its SDK. */
export function headlessAdminApi(input: WorkosLoginConfig): AdminApi & { events: LoginEvents; config: Readonly<ResolvedConfig> } {
  const config = parseConfig(input);
  const repos = createRepositories(config.prisma, config);
  const events = new LoginEvents(config.logger);
  const ctx = { config, users: repos.users, events, workos: new WorkosGateway(config) };
  const api = createAdminApi({
    config,
    repos,
    catalog: ruleCatalog(BUILTIN_RULE_ENTRIES),
    events,
    now: Date.now,
    resetMfa: (userId) => resetMfa(ctx, new MfaStore(repos.mfa), new FactorsApi(ctx), userId),
  });
  return { ...api, events, config };
}
