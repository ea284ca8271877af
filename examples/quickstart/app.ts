import express from 'express';
import session from 'express-session';
import { recommendedSessionOptions, workosLogin } from 'express-workos-login';
import type { PrismaClient } from '../../generated/sqlite/client.ts'; // your generated Prisma client
import { sendMail } from './mail.ts'; // your mailer

// Your public origin: links in emails and SSO callbacks are built from it, and https makes the cookie Secure.
const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000';

export function createApp(prisma: PrismaClient, sessionStore?: session.Store) {
  const login = workosLogin({
    prisma,
    baseUrl,
    emailLookup: true, // people may type their email instead of their username
  });
  login.on('sendPasswordReset', async ({ user, link }) => {
    await sendMail(user.email, 'Reset your password', `Follow this link to choose a new password: ${link}`);
  });

  const app = express();
  app.set('trust proxy', 1); // behind one load balancer: req.ip is the client, not the proxy
  app.use(session(recommendedSessionOptions({ secret: process.env.SESSION_SECRET!, store: sessionStore, baseUrl })));
  app.use(login.loadUser); // req.user on every route
  app.use('/accounts', login);
  app.get('/accounts/profile/', login.requireLogin, (req, res) => {
    res.send(`Hello ${req.user!.firstName || req.user!.username}`);
  });
  return app;
}
