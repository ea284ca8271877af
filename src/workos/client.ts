// The WorkOS SDK client, built once from config (pointable at the emulator), and the one place that turns
// SDK failures into login errors: unreachable, slow or 5xx WorkOS is an "upstream" error page, never a 500.
import { WorkOS } from '@workos-inc/node';
import type { ResolvedConfig } from '../config.ts';
import { LoginError } from '../errors.ts';
import type { Workos, WorkosProfile } from '../context.ts';

export type WorkosClient = InstanceType<typeof WorkOS>;

/** The profile WorkOS returns for an SSO or magic-link code. */
export type { WorkosProfile } from '../context.ts';

export class WorkosGateway implements Workos {
  private client: WorkosClient | null = null;

  constructor(private readonly config: Pick<ResolvedConfig, 'workos' | 'logger'>) {}

  /** The SDK client; a missing API key is reported once in the log and as an upstream error to the user. */
  get sdk(): WorkosClient {
    if (this.client) return this.client;
    const { apiKey, clientId, apiHostname, port, https, timeoutMs } = this.config.workos;
    if (!apiKey || !clientId) {
      this.config.logger.error('express-workos-login: workos.apiKey and workos.clientId (or WORKOS_API_KEY / WORKOS_CLIENT_ID) are required for SSO, MFA and WorkOS magic links');
      throw new LoginError('upstream', 503);
    }
    this.client = new WorkOS(apiKey, { clientId, apiHostname, port, https, timeout: timeoutMs });
    return this.client;
  }

  get clientId(): string {
    const id = this.config.workos.clientId;
    if (!id) throw new LoginError('upstream', 503);
    return id;
  }

  /**
   * Runs an SDK call. Errors the caller expects (listed by `expected`) are returned to it unchanged; everything
   * else (network, timeout, 5xx, 401) becomes a LoginError('upstream') with the SDK error as cause.
   */
  async call<T>(what: string, fn: (sdk: WorkosClient) => Promise<T>, expected: (err: unknown) => boolean = () => false, secrets: readonly string[] = []): Promise<T> {
    try {
      return await fn(this.sdk);
    } catch (err) {
      if (err instanceof LoginError || expected(err)) throw err;
      this.config.logger.error(`express-workos-login: WorkOS ${what} failed`, { error: describeSdkError(err, secrets) });
      throw new LoginError('upstream', 503, { cause: err });
    }
  }

  /**
   * The one code exchange (SSO callbacks and WorkOS magic links): the profile for a code, or null when WorkOS
   * says the code expired or was used (`invalid_grant`). Anything else is an upstream error. `what` names the
   * caller in the log.
   */
  async exchangeCode(code: string, what = 'sso.getProfileAndToken'): Promise<WorkosProfile | null> {
    try {
      const { profile } = await this.call(
        what,
        (sdk) => sdk.sso.getProfileAndToken({ code, clientId: this.clientId }),
        (err) => sdkCode(err) === 'invalid_grant',
        [code],
      );
      return profile;
    } catch (err) {
      if (err instanceof LoginError) throw err;
      return null;
    }
  }
}

/** A log-safe one-liner for an SDK error (no request bodies; `secrets` the call sent are blanked out). */
export function describeSdkError(err: unknown, secrets: readonly string[] = []): string {
  const e = err && typeof err === 'object' ? (err as { name?: string; status?: number; code?: string; error?: string; message?: string }) : null;
  const text = e ? [e.name, e.status, e.code ?? e.error, e.message?.split('\n')[0]].filter((x) => x !== undefined && x !== '').join(' ') : String(err);
  // WorkOS may quote what it was sent (e.g. "the code '…' is invalid").
  return secrets.filter((s) => s.length >= 4).reduce((line, secret) => line.split(secret).join('[redacted]'), text);
}

/** `status` of an SDK exception, if any. */
export function sdkStatus(err: unknown): number | undefined {
  const s = err && typeof err === 'object' ? (err as { status?: unknown }).status : undefined;
  return typeof s === 'number' ? s : undefined;
}

/** WorkOS error code (`code` for /auth/*, `error` for OAuth-shaped errors). */
export function sdkCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; error?: unknown };
  return typeof e.code === 'string' ? e.code : typeof e.error === 'string' ? e.error : undefined;
}
