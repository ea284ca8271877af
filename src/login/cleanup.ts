// Lazy cleanup of single-use tokens (password reset, local magic links). Issuing a token already deletes the
// user's older ones; what is left are used or expired tokens of people who never asked again. So each instance,
// at most once a minute and only when it issues a token, deletes up to one bounded batch of them: the table stays
// small without a scheduler, and no request ever waits on an unbounded delete.
import type { Context } from '../context.ts';
import type { TokenRow, TokenStore } from '../db/ports.ts';

/** Per instance: at most one batch per this long. */
export const TOKEN_PRUNE_EVERY_MS = 60_000;
/** Rows deleted per batch at most. */
export const TOKEN_PRUNE_BATCH = 500;

export class TokenPruner {
  private last = -Infinity;

  constructor(
    private readonly store: Pick<TokenStore<TokenRow>, 'prune'>,
    private readonly ctx: Pick<Context, 'now' | 'config'>,
    private readonly what: string,
  ) {}

  /** Called after a token was issued; never throws (a failed cleanup must not cost the person their link). */
  async afterIssue(): Promise<void> {
    const now = this.ctx.now();
    if (now - this.last < TOKEN_PRUNE_EVERY_MS) return;
    this.last = now;
    try {
      await this.store.prune(new Date(now), TOKEN_PRUNE_BATCH);
    } catch (err) {
      this.ctx.config.logger.warn(`express-workos-login: deleting used and expired ${this.what} tokens failed`, { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
