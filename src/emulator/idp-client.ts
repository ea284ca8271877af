// A scripted browser for tests: opens an authorization URL over HTTP, reads the mock IdP page and
// submits the same form a person would click, returning where the browser would be sent next.
import type { EmulatorDirectory } from './directory.ts';
import type { AUTHORIZE_ERRORS } from './sso-authorize.ts';

export type AuthorizeErrorCode = (typeof AUTHORIZE_ERRORS)[number];

export interface CustomProfileChoice {
  email: string;
  firstName?: string;
  lastName?: string;
  idpId?: string;
  groups?: string[];
  rawAttributes?: Record<string, unknown>;
  /** Which of the request's connections to use; the first one when left out. */
  connectionId?: string;
}

export type SignInChoice =
  | { email: string }
  | { profile: CustomProfileChoice }
  | { error: AuthorizeErrorCode; errorDescription?: string };

export interface EmulatorIdp {
  /**
   * Opens `authorizationUrl` and makes the choice on the mock IdP page. Resolves to the `Location`
   * the browser is sent to: the app's redirect URI with `code` and `state`, or with `error`.
   */
  signIn(authorizationUrl: string, choice: SignInChoice): Promise<string>;
  /** IdP-initiated sign-in as a directory user; resolves to the client's default redirect URI with a code. */
  initiate(options: { connectionId: string; email: string; clientId?: string }): Promise<string>;
}

interface ParsedForm {
  attributes: Record<string, string>;
  fields: Record<string, string>;
  firstOption: string | undefined;
}

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');
}

function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) if (m[1] !== undefined) out[m[1]] = unescape(m[2] ?? '');
  return out;
}

function formsOf(page: string): ParsedForm[] {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const inner = m[2] ?? '';
    const fields: Record<string, string> = {};
    for (const input of inner.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const a = attributesOf(input[0]);
      if (a.name !== undefined) fields[a.name] = a.value ?? '';
    }
    const option = /<option value="([^"]*)"/.exec(inner)?.[1];
    return { attributes: attributesOf(m[1] ?? ''), fields, firstOption: option === undefined ? undefined : unescape(option) };
  });
}

async function postForm(url: string, fields: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) return location;
  const text = await res.text();
  const alert = /role="alert">([\s\S]*?)</.exec(text)?.[1];
  throw new Error(`The mock IdP refused the sign-in (HTTP ${res.status}): ${alert ? unescape(alert) : text.slice(0, 300)}`);
}

function pick(forms: ParsedForm[], page: string, choice: SignInChoice): { form: ParsedForm; fields: Record<string, string> } {
  const find = (predicate: (f: ParsedForm) => boolean, what: string) => {
    const form = forms.find(predicate);
    if (!form) throw new Error(`The mock IdP page has no ${what}.`);
    return form;
  };
  if ('email' in choice) {
    const wanted = choice.email.toLowerCase();
    const form = forms.find((f) => f.attributes['data-email']?.toLowerCase() === wanted);
    if (!form) {
      const offered = forms.map((f) => f.attributes['data-email']).filter(Boolean);
      throw new Error(`The mock IdP page offers no user ${choice.email} (it offers: ${offered.join(', ') || 'none'}).`);
    }
    return { form, fields: form.fields };
  }
  if ('profile' in choice) {
    const form = find((f) => f.attributes.id === 'custom-profile', 'custom-profile form');
    const p = choice.profile;
    const connectionId = p.connectionId ?? form.fields.connection_id ?? form.firstOption ?? '';
    const fields = {
      ...form.fields,
      connection_id: connectionId,
      email: p.email,
      first_name: p.firstName ?? '',
      last_name: p.lastName ?? '',
      idp_id: p.idpId ?? '',
      groups: (p.groups ?? []).join(','),
      raw_attributes: p.rawAttributes ? JSON.stringify(p.rawAttributes) : '',
    };
    return { form, fields };
  }
  const form = find((f) => f.attributes.id === 'error-choice', `error form (page: ${page.slice(0, 80)})`);
  return { form, fields: { ...form.fields, error: choice.error, error_description: choice.errorDescription ?? '' } };
}

export function createIdpClient(baseUrl: () => string, directory: EmulatorDirectory): EmulatorIdp {
  return {
    async signIn(authorizationUrl, choice) {
      const res = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) return location;
      const page = await res.text();
      if (res.status !== 200) throw new Error(`The emulator refused the authorization request (HTTP ${res.status}): ${page}`);
      const { form, fields } = pick(formsOf(page), page, choice);
      return postForm(new URL(form.attributes.action ?? '', authorizationUrl).toString(), fields);
    },
    async initiate({ connectionId, email, clientId }) {
      const user = directory.connection(connectionId)?.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
      if (!user) throw new Error(`No user ${email} in connection ${connectionId}.`);
      const fields = { connection_id: connectionId, idp_id: user.idpId, ...(clientId ? { client_id: clientId } : {}) };
      return postForm(`${baseUrl()}/_emulator/idp`, fields);
    },
  };
}
