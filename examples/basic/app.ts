// The example host app: express-session with a persistent store, workosLogin mounted at /accounts,
// a home page and a profile page. server.ts runs it; example.test.ts drives it.
import express, { type Express } from 'express';
import session from 'express-session';
import { recommendedSessionOptions, workosLogin, type WorkosLoginConfig, type WorkosLoginRouter } from '../../src/index.ts';

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
}

/** The banner every page shows when the demo runs on the local WorkOS emulator. */
export const emulatorNotice = (emulatorUrl: string) =>
  `Demo mode: WorkOS is the local emulator at ${emulatorUrl} (emails and SMS: ${emulatorUrl}/_emulator/outbox.html).`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createExampleApp(options: ExampleOptions): { app: Express; login: WorkosLoginRouter } {
  const login = workosLogin({
    prisma: options.prisma,
    baseUrl: options.baseUrl,
    workos: options.workos,
    notice: options.notice,
    password: { bcryptCost: options.bcryptCost },
    templateDirs: [new URL('./views', import.meta.url).pathname],
    // With WorkOS (or the emulator) WorkOS emails magic links itself; without it the demo "sends" them below.
    magicLink: { sendCustomEmail: false },
    // The login admin at /accounts/admin/, for `admin` (the demo's only staff member).
    admin: { enabled: true, allow: (user) => user.username === 'admin' && user.isStaff },
  });
  const deliver = options.deliver ?? ((kind, to, link) => console.log(`[demo mail] ${kind} for ${to}: ${link}`));
  login.on('sendPasswordReset', ({ user, link }) => deliver('password-reset', user.email, link));
  login.on('sendMagicLink', ({ user, link }) => {
    // WorkOS emails the link itself unless sendCustomEmail is true; the local provider always relies on the app.
    if (login.config.magicLink.provider === 'workos' && !login.config.magicLink.sendCustomEmail) return;
    deliver('magic-link', user.email, link);
  });
  login.on('loginFailed', ({ username, reason, ip }) => console.warn(`[audit] login failed for ${JSON.stringify(username)} (${reason}) from ${ip}`));
  login.on('userCreated', ({ user, profile, rule }) => console.log(`[audit] ${user.username} was created just in time by "${rule.name}" (${profile.connection_type})`));
  login.on('mfaEnrolled', ({ user, factor }) => console.log(`[audit] ${user.username} turned on two-step verification (${factor.type})`));
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
         <p><a href="/accounts/password_change/">Change password</a>${u.username === 'admin' ? ' · <a href="/accounts/admin/">Login admin</a>' : ''}</p>
         <form method="post" action="/accounts/logout/"><input type="hidden" name="_csrf" value="${escape(login.csrfToken(req))}"><button type="submit">Log out</button></form>`,
      ),
    );
  });

  return { app, login };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/accounts/static/workos-login.css"></head>
<body class="ewl"><main class="ewl-card"><h1>${title}</h1>${body}</main></body></html>`;
}
