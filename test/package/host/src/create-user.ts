// How the README says to create a password user: hashPassword(password), default cost.
import { PrismaPg } from '@prisma/adapter-pg';
import { hashPassword } from 'express-workos-login';
import { PrismaClient } from '../generated/prisma/client.ts';

const [username, email, password, displayName = ''] = process.argv.slice(2);
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
const user = await prisma.user.create({ data: { username: username!, email: email!, displayName, passwordHash: await hashPassword(password!) } });
console.log(user.id);
await prisma.$disconnect();
