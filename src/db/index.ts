// The data layer, built once per router from the host's client: every repository, behind the interfaces of
// ports.ts. Nothing outside src/db/ looks at the client itself.
import { ConfigError } from '../errors.ts';
import type { ResolvedConfig } from '../config.ts';
import { guardRepository, withTransactionLimit } from './errors.ts';
import { GroupRepository } from './groups.ts';
import { IdentityRepository } from './identities.ts';
import { JitRepository } from './jit.ts';
import { MfaRepository } from './mfa.ts';
import { dataModelOf } from './model.ts';
import type { MagicLinkRow, Repositories, TokenStore } from './ports.ts';
import { RuleRepository } from './rules.ts';
import { magicLinkTokenStore, ResetTokenRepository } from './tokens.ts';
import { asDb, type PrismaLike } from './types.ts';
import { UserRepository, type UserLookupConfig } from './users.ts';
import { webhookEventStore } from './webhook-events.ts';

export { databaseLimiters } from './rate-limit.ts';

export function createRepositories(host: PrismaLike, config: UserLookupConfig & Pick<ResolvedConfig, 'database'>): Repositories {
  const { timeoutMs } = config.database;
  const prisma = withTransactionLimit(host, timeoutMs);
  const guard = <T extends object>(repo: T): T => guardRepository(repo, timeoutMs);
  const db = asDb(prisma);
  const magicLink = magicLinkTokenStore(prisma);
  const webhookEvents = webhookEventStore(prisma);
  return {
    users: guard(new UserRepository(prisma, config)),
    rules: guard(new RuleRepository(prisma)),
    tokens: { passwordReset: guard(new ResetTokenRepository(db)), magicLink: magicLink && guard(magicLink) },
    mfa: guard(new MfaRepository(db)),
    identities: guard(new IdentityRepository(db)),
    groups: guard(new GroupRepository(db)),
    webhookEvents: webhookEvents && guard(webhookEvents),
    jit: guard(new JitRepository(db)),
    dataModel: dataModelOf(prisma),
  };
}

/** The local magic-link provider's tokens; a schema without the MagicLinkToken model is a config error. */
export function requireMagicLinkTokens(store: TokenStore<MagicLinkRow> | null): TokenStore<MagicLinkRow> {
  if (store) return store;
  const issue = 'magicLink.provider: "local" needs the MagicLinkToken model from prisma/workos-login.prisma in your Prisma schema';
  throw new ConfigError(`express-workos-login: invalid config:\n  - ${issue}`, [issue]);
}

/** Creates the default rule unless a rule of that name exists (for `seedDefaultRule`). */
export async function seedRule(prisma: PrismaLike, rule: Parameters<RuleRepository['seed']>[0]): Promise<void> {
  await new RuleRepository(prisma).seed(rule);
}
