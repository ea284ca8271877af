import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'; // or PrismaPg from @prisma/adapter-pg
import { seedDefaultRule } from 'express-workos-login';
import { PrismaClient } from '../../generated/sqlite/client.ts'; // your generated Prisma client
import { createApp } from './app.ts';

const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: process.env.DATABASE_URL ?? 'file:./dev.db' }) });
await seedDefaultRule(prisma); // once: "Username/password login" for everyone (idempotent)

const port = Number(process.env.PORT ?? 3000);
createApp(prisma).listen(port, () => console.log(`Log in at http://localhost:${port}/accounts/login/`));
