// Plain JavaScript, CommonJS: require('express-workos-login') (Node >= 20.19 requires ES modules).
const express = require('express');
const session = require('express-session');
const { PrismaPg } = require('@prisma/adapter-pg');
const { recommendedSessionOptions, workosLogin } = require('express-workos-login');
const { PrismaClient } = require('./dist/generated/prisma-cjs/client.js');

const baseUrl = process.env.BASE_URL;
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }) });
const login = workosLogin({ prisma, baseUrl });
const app = express();
app.use(session(recommendedSessionOptions({ secret: process.env.SESSION_SECRET, baseUrl })));
app.use(login.loadUser);
app.use('/accounts', login);
app.get('/accounts/profile/', login.requireLogin, (req, res) => res.send(`Hello ${req.user.username} (plain CommonJS)`));
app.listen(Number(process.env.PORT), () => console.log(`plain CommonJS host at ${baseUrl}`));
