// The example host app: express-session with a persistent store, workosLogin mounted at /accounts,
// a home page and a profile page. server.ts runs it; example.test.ts drives it.
import express, { type Express } from 'express';
import session from 'express-session';
import { recommendedSessionOptions, workosLogin, type WorkosLoginConfig, type WorkosLoginRouter } from '../../src/index.ts';
import './types.ts';

export interface ExampleOptions {
  prisma: WorkosLoginConfig['prisma'];
  baseUrl: string;
  sessionStore: session.Store;
  sessionSecret: string;
  workos?: WorkosLoginConfig['workos'];
  notice?: string;
  bcryptCost?: number;
  /** Where reset and magic links go in the demo (a real app sends email). */
  deliver?: (kind: 'password-reset' | 'magic-link', to: string, link: string) => void;
  /** The signing secret of the WorkOS webhook endpoint: turns on Directory Sync deprovisioning. */
  webhookSecret?: string;
  /** Where rate-limit counters live (production mode: Redis, shared by every instance). */
  rateLimit?: WorkosLoginConfig['rateLimit'];
}

/** The banner every page shows when the demo runs on the local WorkOS emulator. */
export const emulatorNotice = (emulatorUrl: string) =>
  `Demo mode: WorkOS is the local emulator at ${emulatorUrl} (emails and SMS: ${emulatorUrl}/_emulator/outbox.html).`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createExampleApp(options: ExampleOptions): { app: Express; login: WorkosLoginRouter } {
  const login = workosLogin({
    prisma: options.prisma,
    baseUrl: options.baseUrl,
    emailLookup: true, // the login field says "Username or email": magic@example.com works as well as magic
    workos: options.workos,
    notice: options.notice,
    password: { bcryptCost: options.bcryptCost },
    templateDirs: [new URL('./views', import.meta.url).pathname],
    // With WorkOS (or the emulator): Magic Auth codes, emailed by WorkOS. Without it: the library's own links, which
    // the demo "sends" below.
    magicLink: { provider: options.workos ? 'workos-magic-auth' : 'local', sendCustomEmail: false },
    sso: { webhookSecret: options.webhookSecret },
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    // The login admin at /accounts/admin/, for `admin` (the demo's only staff member).
    admin: { enabled: true, allow: (user) => user.username === 'admin' && user.isStaff },
  });
  const deliver = options.deliver ?? ((kind, to, link) => console.log(`[demo mail] ${kind} for ${to}: ${link}`));
  login.on('sendPasswordReset', ({ user, link }) => deliver('password-reset', user.email, link));
  login.on('sendMagicLink', (message) => {
    // WorkOS emails codes and links itself unless sendCustomEmail is true; the local provider always relies on the app.
    if (login.config.magicLink.provider !== 'local' && !login.config.magicLink.sendCustomEmail) return;
    deliver('magic-link', message.user.email, message.kind === 'code' ? `code ${message.code} (type it at ${message.link})` : message.link);
  });
  login.on('loginFailed', ({ username, reason, ip }) => console.warn(`[audit] login failed for ${JSON.stringify(username)} (${reason}) from ${ip}`));
  // A real app alerts here (and tells the user on a lockout).
  login.on('accountThrottled', ({ account, kind, ip, level, retryAfter }) => console.warn(`[alert] ${account}: ${kind} (level ${level}) from ${ip} for ${retryAfter} s`));
  login.on('userCreated', ({ user, profile, rule }) => console.log(`[audit] ${user.username} was created just in time by "${rule.name}" (${profile.connection_type})`));
  login.on('mfaEnrolled', ({ user, factor }) => console.log(`[audit] ${user.username} turned on two-step verification (${factor.type})`));
  login.on('mfaChanged', ({ user, action, via }) => console.log(`[audit] ${user.username} chose to ${action} their second factor (confirmed by ${via})`));
  login.on('userDeprovisioned', ({ user, reason, organizationId }) => console.log(`[audit] ${user.username} was deactivated: ${reason} in the directory of ${organizationId}`));
  login.on('adminChange', ({ actor, action, target }) => console.log(`[audit] ${action} ${target.type} "${target.name}" by ${actor.type === 'user' ? actor.username : actor.type}`));

  const app = express();
  app.use(session(recommendedSessionOptions({ secret: options.sessionSecret, store: options.sessionStore, baseUrl: options.baseUrl })));
  app.use(login.loadUser);
  app.use('/accounts', login);

  app.get('/', (req, res) => {
    const who = req.user ? `Logged in as <strong>${escape(req.user.username)}</strong> — <a href="/accounts/profile/">profile</a>` : '<a href="/accounts/login/">Log in</a>';
    res.type('html').send(page('Acme demo', `<p>${who}</p>`));
  });

  app.get('/accounts/profile/', login.requireLogin, (req, res) => {
    const u = req.user!;
    res.type('html').send(
      page(
        'Your profile',
        `<dl><dt>Username</dt><dd>${escape(u.username)}</dd><dt>Email</dt><dd>${escape(u.email)}</dd>
         <dt>Name</dt><dd>${escape(`${u.firstName} ${u.lastName}`.trim() || '—')}</dd></dl>
         <p>${u.hasPassword ? '<a href="/accounts/password_change/">Change password</a> · ' : ''}<a href="/accounts/mfa/">Two-step verification</a>${u.username === 'admin' ? ' · <a href="/accounts/admin/">Login admin</a>' : ''}</p>
         <form method="post" action="/accounts/logout/"><input type="hidden" name="_csrf" value="${escape(login.csrfToken(req))}"><button type="submit">Log out</button></form>`,
      ),
    );
  });

  // Errors before the login router (the session store down, say) end here: a plain "try again" page, logged,
  // never a stack trace. The library's own routes render its error page themselves.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    console.error(`[error] ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    res.status(503).type('html').send(page('Please try again', '<p>Something went wrong on our side. Please try again in a moment.</p>'));
  });

  return { app, login };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/accounts/static/workos-login.css"></head>
<body class="ewl"><main class="ewl-card"><h1>${title}</h1>${body}</main></body></html>`;
}
