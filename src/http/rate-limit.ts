// Throttles built on rate-limiter-flexible. Counters live in memory by default, or in Redis or the
// database (config `rateLimit.store`) so that every app instance shares them.
import rlf, { type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { ResolvedConfig } from '../config.ts';
import type { LimiterFactory, LoginLimits } from '../context.ts';
import type { DatabaseLimiters } from '../db/ports.ts';
import type { UserId } from '../user-types.ts';

const { RateLimiterMemory, RateLimiterRedis } = rlf;

export type { LimiterFactory } from '../context.ts';

/** `database` builds the limiters of the `database` store (src/db/); required for that store. */
export function limiterFactory(config: Pick<ResolvedConfig, 'rateLimit'>, database?: DatabaseLimiters): LimiterFactory {
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
    if (store === 'database') return database!(opts);
    return new RateLimiterRedis({ ...opts, storeClient: store.redis, useRedisPackage: store.useRedisPackage });
  };
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

/** Failed-login throttling per account (the typed name, so unknown names behave the same) and per client IP. */
export class LoginThrottle implements LoginLimits {
  readonly account: Throttle;
  readonly ip: Throttle;

  constructor(factory: LimiterFactory, config: Pick<ResolvedConfig, 'rateLimit'>) {
    const { perAccount, perIp } = config.rateLimit;
    this.account = new Throttle(factory('login-account', perAccount), perAccount.points);
    this.ip = new Throttle(factory('login-ip', perIp), perIp.points);
  }

  /**
   * The account a login attempt counts against: the user when the name refers to one (so the username and
   * the email share one counter), else the typed name (so unknown names are throttled exactly alike).
   */
  static accountKey(typed: string, userId?: UserId): string {
    return userId === undefined ? `name:${typed.trim().toLowerCase().slice(0, 320)}` : `user:${userId}`;
  }

  /** Counts a login attempt for the account and the client IP; seconds to wait, or 0 to go ahead. */
  async begin(accountKey: string, ip: string): Promise<number> {
    const [a, b] = await Promise.all([this.account.attempt(accountKey), this.ip.attempt(ip)]);
    return Math.max(a, b);
  }

  /** A success clears the account's count and does not count against the IP. */
  async succeeded(accountKey: string, ip: string): Promise<void> {
    await Promise.all([this.account.reset(accountKey), this.ip.refund(ip)]);
  }
}
