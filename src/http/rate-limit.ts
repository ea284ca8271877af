// Throttles built on rate-limiter-flexible. Counters live in memory by default, or in Redis or the
// database (config `rateLimit.store`) so that every app instance shares them.
import rlf, { type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { ResolvedConfig } from '../config.ts';
import type { EventSink, LimiterFactory, LoginLimits } from '../context.ts';
import { withTimeout } from '../db/errors.ts';
import type { DatabaseLimiters } from '../db/ports.ts';
import type { UserId } from '../user-types.ts';

const { RateLimiterMemory, RateLimiterRedis } = rlf;

export type { LimiterFactory } from '../context.ts';

/** The rate-limit store (Redis, the database) failed or took longer than `database.timeoutMs`. */
export class RateLimitStoreFailure extends Error {
  constructor(cause: unknown) {
    super(`the rate-limit store failed: ${cause instanceof Error ? `${cause.name}: ${cause.message.split('\n')[0]}` : String(cause)}`, { cause });
    this.name = 'RateLimitStoreFailure';
  }
}

/** `database` builds the limiters of the `database` store (src/db/); required for that store. */
export function limiterFactory(config: Pick<ResolvedConfig, 'rateLimit' | 'database'>, database?: DatabaseLimiters): LimiterFactory {
  const { store, keyPrefix } = config.rateLimit;
  if (store === 'database' && !database) throw new TypeError('express-workos-login: the database rate-limit store needs its limiters');
  return (name, spec) => {
    const opts = {
      keyPrefix: `${keyPrefix}:${name}`,
      points: spec.points,
      duration: spec.durationSeconds,
      blockDuration: spec.blockSeconds ?? 0,
    };
    if (store === 'memory') return new RateLimiterMemory(opts);
    if (store === 'database') return guardLimiter(database!(opts), config.database.timeoutMs);
    // The same limit as a database call: a Redis that stops answering (a stalled connection, no reset) would hold
    // the request open for as long as ioredis waits, which by default is forever.
    return guardLimiter(new RateLimiterRedis({ ...opts, storeClient: store.redis, useRedisPackage: store.useRedisPackage }), config.database.timeoutMs);
  };
}

/**
 * A shared store's limiter whose failures (Redis or the database down, or slower than `timeoutMs`) reject
 * with a `RateLimitStoreFailure`, the "try again" page, instead of an unknown error and a 500. A limit reached
 * (rate-limiter-flexible rejects with its result, not an Error) passes unchanged.
 */
function guardLimiter<L extends RateLimiterAbstract>(limiter: L, timeoutMs: number): L {
  return new Proxy(limiter, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return withTimeout(result, timeoutMs).catch((err: unknown) => {
          throw err instanceof Error ? new RateLimitStoreFailure(err) : err;
        });
      };
    },
  });
}

/** A named counter: `check` before the attempt, `hit` on failure, `reset` on success. */
export class Throttle {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly points: number,
  ) {}

  /** Seconds to wait, or 0 when the key may try now. */
  async retryAfter(key: string): Promise<number> {
    const res = await this.limiter.get(key);
    if (!res || res.consumedPoints < this.points) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  /**
   * Counts an attempt BEFORE it is made and says how long to wait (0 = go ahead). Counting first means
   * concurrent requests cannot all slip past a check-then-count gap; going over the limit starts the block.
   */
  async attempt(key: string): Promise<number> {
    try {
      await this.limiter.consume(key, 1);
      return 0;
    } catch (err) {
      if (!isLimiterRes(err)) throw err;
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  }

  /** Gives back the point an attempt took (a success that should not count). */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  /** Counts an attempt and says whether it was within the limit (for sends: reset mails, SMS, links). */
  async take(key: string): Promise<boolean> {
    try {
      await this.limiter.consume(key, 1);
      return true;
    } catch (err) {
      if (isLimiterRes(err)) return false;
      throw err;
    }
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

function isLimiterRes(err: unknown): err is RateLimiterRes {
  return !!err && typeof err === 'object' && 'msBeforeNext' in err && !(err instanceof Error);
}

/** Seconds to wait, from a limiter's milliseconds (at least 1). */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** No real account is backed off this often within a window; the counter only counts. */
const UNCAPPED = 1_000_000;

/**
 * Failed-login throttling as OWASP and NIST SP 800-63B describe it, so that an attacker cannot lock the owner out:
 *
 * - per (account, client IP): `perAccountIp.points` failures, then that client waits; each such block of the same
 *   account within the long window doubles the next one (`blockSeconds`, 2×, 4×, … up to `maxBlockSeconds`);
 * - per client IP (`perIp`), whatever the account: one client spraying many accounts;
 * - per account from every IP together (`perAccount`, 100 a day by default): the long-run cap. Past it the
 *   account is locked for everyone until the block ends, a password reset or a successful login clears it.
 *
 * So an owner whose address never failed still logs in while other addresses are backed off, unless the account
 * reached the cap. The account is the user (`user:<id>`) or, for a name no user has, the typed name, so that
 * unknown names are throttled exactly alike. `accountThrottled` tells the host when a block starts.
 */
export class LoginThrottle implements LoginLimits {
  private readonly pair: RateLimiterAbstract;
  private readonly backoffs: RateLimiterAbstract;
  private readonly account: RateLimiterAbstract;
  private readonly ip: Throttle;
  private readonly limits: ResolvedConfig['rateLimit'];

  constructor(
    factory: LimiterFactory,
    config: Pick<ResolvedConfig, 'rateLimit'>,
    private readonly events?: Pick<EventSink, 'emit'>,
  ) {
    this.limits = config.rateLimit;
    const { perAccountIp, perAccount, perIp } = config.rateLimit;
    // No blockDuration: the block is set by hand, as long as the account's level says.
    this.pair = factory('login-pair', { points: perAccountIp.points, durationSeconds: perAccountIp.durationSeconds });
    this.backoffs = factory('login-backoffs', { points: UNCAPPED, durationSeconds: perAccount.durationSeconds });
    this.account = factory('login-account', perAccount);
    this.ip = new Throttle(factory('login-ip', perIp), perIp.points);
  }

  /**
   * The account a login attempt counts against: the user when the name refers to one (so the username and
   * the email share one counter), else the typed name (so unknown names are throttled exactly alike).
   */
  static accountKey(typed: string, userId?: UserId): string {
    return userId === undefined ? `name:${typed.trim().toLowerCase().slice(0, 320)}` : `user:${userId}`;
  }

  // An IP never contains "|", so the pair key is unambiguous whatever the typed name holds.
  private static pairKey(accountKey: string, ip: string): string {
    return `${ip}|${accountKey}`;
  }

  /**
   * Counts a login attempt (before the password is checked, so a burst of parallel guesses cannot slip past) and
   * says how many seconds to wait, or 0 to go ahead.
   */
  async begin(accountKey: string, ip: string): Promise<number> {
    const [pair, byIp] = await Promise.all([this.countPair(accountKey, ip), this.ip.attempt(ip)]);
    if (pair > 0 || byIp > 0) return Math.max(pair, byIp);
    // Only attempts that reach the password count towards the cap: a blocked client that keeps hammering cannot
    // spend the account's allowance and lock the owner out.
    return this.countAccount(accountKey, ip);
  }

  /** A success clears the account's counts and this client's block, and does not count against the IP. */
  async succeeded(accountKey: string, ip: string): Promise<void> {
    await Promise.all([this.unlock(accountKey, ip), this.ip.refund(ip)]);
  }

  /** Clears the account's counts and its lockout, and this client's block (the owner proved who they are). */
  async unlock(accountKey: string, ip: string): Promise<void> {
    await Promise.all([this.pair.delete(LoginThrottle.pairKey(accountKey, ip)), this.account.delete(accountKey), this.backoffs.delete(accountKey)]);
  }

  private async countPair(accountKey: string, ip: string): Promise<number> {
    const key = LoginThrottle.pairKey(accountKey, ip);
    const { points, blockSeconds, maxBlockSeconds } = this.limits.perAccountIp;
    try {
      await this.pair.consume(key, 1);
      return 0;
    } catch (err) {
      if (!isLimiterRes(err)) throw err;
      // Already blocked (or a parallel attempt is starting the block): wait for what is left.
      if (err.consumedPoints !== points + 1) return seconds(err.msBeforeNext);
      // This attempt went over: block this client, longer each time the account was blocked before.
      const level = (await this.backoffs.penalty(accountKey, 1)).consumedPoints;
      const retryAfter = Math.min(blockSeconds * 2 ** (level - 1), maxBlockSeconds);
      await this.pair.block(key, retryAfter);
      this.throttled(accountKey, ip, 'backoff', level, retryAfter);
      return retryAfter;
    }
  }

  private async countAccount(accountKey: string, ip: string): Promise<number> {
    try {
      await this.account.consume(accountKey, 1);
      return 0;
    } catch (err) {
      if (!isLimiterRes(err)) throw err;
      const retryAfter = seconds(err.msBeforeNext);
      if (err.consumedPoints === this.limits.perAccount.points + 1) {
        const level = (await this.backoffs.get(accountKey))?.consumedPoints ?? 0;
        this.throttled(accountKey, ip, 'lockout', level, retryAfter);
      }
      return retryAfter;
    }
  }

  private throttled(account: string, ip: string, kind: 'backoff' | 'lockout', level: number, retryAfter: number): void {
    const userId = /^user:(\d+)$/.exec(account)?.[1];
    this.events?.emit('accountThrottled', { account, userId: userId === undefined ? null : Number(userId), ip, kind, level, retryAfter });
  }
}
