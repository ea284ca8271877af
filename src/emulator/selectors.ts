// Which connections an authorization request may sign in with, from its `connection`,
// `organization` or `provider` selector; failures carry the error code WorkOS documents for them.
import { CONNECTION_TYPES, type Connection } from './directory-schema.ts';
import type { EmulatorDirectory } from './directory.ts';

export interface SelectorQuery {
  connection?: string | undefined;
  organization?: string | undefined;
  provider?: string | undefined;
}

export type SelectorResult =
  | { ok: true; connections: readonly Connection[] }
  | { ok: false; error: string; description: string };

function fail(error: string, description: string): SelectorResult {
  return { ok: false, error, description };
}

export function resolveSelector(directory: EmulatorDirectory, query: SelectorQuery): SelectorResult {
  const given = (['connection', 'organization', 'provider'] as const).filter((key) => (query[key] ?? '') !== '');
  if (given.length !== 1) {
    return fail(
      'invalid_connection_selector',
      given.length === 0
        ? 'One of connection, organization or provider is required.'
        : `Only one of connection, organization or provider may be given (received ${given.join(', ')}).`,
    );
  }
  if (query.connection) {
    const connection = directory.connection(query.connection);
    return connection ? { ok: true, connections: [connection] } : fail('connection_invalid', `No connection found with id '${query.connection}'.`);
  }
  if (query.organization) {
    if (!directory.organization(query.organization)) {
      return fail('organization_invalid', `No organization found with id '${query.organization}'.`);
    }
    const connections = directory.connections().filter((c) => c.organizationId === query.organization);
    return connections.length > 0 ? { ok: true, connections } : fail('organization_invalid', 'No connection associated with organization');
  }
  const provider = query.provider ?? '';
  if (!provider.endsWith('OAuth') || !(CONNECTION_TYPES as readonly string[]).includes(provider)) {
    return fail('invalid_connection_selector', `Unknown provider '${provider}'.`);
  }
  const connections = directory.connections().filter((c) => c.type === provider);
  return connections.length > 0 ? { ok: true, connections } : fail('connection_invalid', `No ${provider} connection is configured.`);
}
