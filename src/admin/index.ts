// The admin pages, mounted at `<mount>/admin/` when `admin.enabled`: rules and users, for people `admin.allow`
// accepts, fully logged in through the normal rule-aware login. Server-rendered, CSRF on every form (the router's),
// no JavaScript needed; templates are `admin_*.html`, overridable like every page.
import { Router } from 'express';
import type { Context } from '../context.ts';
import type { RuleCatalog } from '../core/rules.ts';
import type { AdminUserRows } from '../db/admin-ports.ts';
import type { RuleAdmin } from '../rules/admin-api.ts';
import type { UserAdmin } from '../users/admin-api.ts';
import { adminAccess } from './access.ts';
import { reauthRoutes } from './reauth.ts';
import { ruleRoutes } from './rules-routes.ts';
import { userRoutes } from './users-routes.ts';

export interface AdminDeps {
  rules: RuleAdmin;
  users: UserAdmin;
  userRows: AdminUserRows;
  catalog: RuleCatalog;
}

export function adminRoutes(ctx: Context, deps: AdminDeps): Router {
  // The routes carry their `/admin` prefix themselves: mounted at the router's root, pages keep its links.
  return Router()
    .use(adminAccess(ctx))
    .use(reauthRoutes(ctx, deps.userRows), ruleRoutes(ctx, deps.rules, deps.catalog), userRoutes(ctx, deps.users));
}
