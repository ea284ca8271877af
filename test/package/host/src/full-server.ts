import { PrismaPg } from '@prisma/adapter-pg';
import { seedDefaultRule } from 'express-workos-login';
import { createClient } from 'redis';
import { PrismaClient } from '../generated/prisma/client.ts';
import { createFullApp } from './full.ts';

const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
const redis = createClient({ url: process.env.REDIS_URL });
await redis.connect();
await seedDefaultRule(prisma);
const { app } = createFullApp({ prisma, redis, baseUrl: process.env.BASE_URL!, keyPrefix: process.env.KEY_PREFIX! });
const port = Number(process.env.PORT);
app.listen(port, () => console.log(`full host (ESM) at http://localhost:${port}`));
