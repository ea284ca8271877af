// The admin's user pages: find a user, see their factors, SSO identities, rule and recent logins, and reset their
// MFA, unlink an SSO identity, end their sessions, deactivate or reactivate them. Every action is destructive:
// each needs a recent login or re-authentication, and goes through `login.users`.
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { LoginError, NotFoundError } from '../errors.ts';
import { flash, saveSession } from '../http/session.ts';
import type { UserAdmin } from '../users/admin-api.ts';
import { actorOf, adminBase, adminUser, requireRecentAuth } from './access.ts';

const idParam = z.coerce.number().int().positive();
const unlinkBody = z.object({ key: z.string().min(1).max(300) });

export function userRoutes(ctx: Context, users: UserAdmin): Router {
  const recent = requireRecentAuth(ctx);

  const id = (req: Request): number => {
    const parsed = idParam.safeParse(req.params.id);
    if (!parsed.success) throw new LoginError('not_found', 404);
    return parsed.data;
  };

  /** Runs a user action; a user who does not exist is the not-found page. */
  const action =
    (run: (req: Request, userId: number) => Promise<string>): RequestHandler =>
    async (req, res) => {
      const userId = id(req);
      let message: string;
      try {
        message = await run(req, userId);
      } catch (err) {
        if (err instanceof NotFoundError) throw new LoginError('not_found', 404, { cause: err });
        throw err;
      }
      flash(req, 'success', message);
      await saveSession(req);
      res.redirect(303, `${adminBase(req)}/users/${userId}/`);
    };

  const search: RequestHandler = async (req, res) => {
    const q = z.string().max(320).catch('').parse(req.query.q ?? '').trim();
    const found = q ? await users.search(q, 50) : [];
    ctx.renderer.render(req, res, 'admin_users', { base: adminBase(req), q, users: found, searched: q !== '' });
  };

  const show: RequestHandler = async (req, res) => {
    let details;
    try {
      details = await users.get(id(req));
    } catch (err) {
      if (err instanceof NotFoundError) throw new LoginError('not_found', 404, { cause: err });
      throw err;
    }
    ctx.renderer.render(req, res, 'admin_user', { base: adminBase(req), details, u: details.user, me: adminUser(req).id === details.user.id });
  };

  return Router()
    .get('/admin/users', search)
    .get('/admin/users/:id', show)
    .post(
      '/admin/users/:id/reset-mfa',
      recent,
      action(async (req, userId) => {
        const result = await users.resetMfa(userId, { actor: actorOf(req) });
        const failed = result.workosDeleteFailures ? ` WorkOS could not delete ${result.workosDeleteFailures} of them; they no longer work here.` : '';
        return `MFA was reset: ${result.factorsRemoved} factor(s) and ${result.recoveryCodesRemoved} recovery code(s) removed, sessions ended.${failed}`;
      }),
    )
    .post(
      '/admin/users/:id/unlink-sso',
      recent,
      action(async (req, userId) => {
        const body = unlinkBody.safeParse(req.body ?? {});
        if (!body.success) throw new LoginError('server', 400);
        const removed = await users.unlinkSso(userId, body.data.key, { actor: actorOf(req) });
        return removed.length ? `Unlinked ${removed.length} SSO identity(ies) of ${body.data.key}.` : `No SSO identity of ${body.data.key} was linked.`;
      }),
    )
    .post(
      '/admin/users/:id/end-sessions',
      recent,
      action(async (req, userId) => {
        await users.endSessions(userId, { actor: actorOf(req) });
        return 'Every session of this user ends on its next request.';
      }),
    )
    .post(
      '/admin/users/:id/deactivate',
      recent,
      action(async (req, userId) => {
        // Locking oneself out of the admin is never what was meant.
        if (adminUser(req).id === userId) return 'You cannot deactivate your own account here.';
        await users.deactivate(userId, { actor: actorOf(req) });
        return 'The user was deactivated and their sessions ended.';
      }),
    )
    .post(
      '/admin/users/:id/reactivate',
      recent,
      action(async (req, userId) => {
        await users.reactivate(userId, { actor: actorOf(req) });
        return 'The user was reactivated.';
      }),
    );
}
