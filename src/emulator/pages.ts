// The emulator's HTML pages: mock IdP sign-in, IdP-initiated launcher, outbox and home. Each form is
// a plain POST so a test can submit exactly what a browser would.
import type { Client, Connection, DirectoryUser } from './directory-schema.ts';
import type { WebhookEndpoint } from './directory.ts';
import type { SyncDirectory, SyncDirectoryUser } from './directories.ts';
import { type SafeHtml, html, layout, linkify } from './html.ts';
import type { OutboxMessage } from './outbox.ts';
import type { RecordedRequest } from './traffic.ts';
import type { WebhookDelivery, WebhookEvent } from './webhooks.ts';

export interface CustomProfileValues {
  connection_id: string;
  email: string;
  first_name: string;
  last_name: string;
  idp_id: string;
  groups: string;
  raw_attributes: string;
}

export interface AuthorizePageModel {
  requestId: string;
  clientId: string;
  redirectUri: string;
  connections: readonly Connection[];
  loginHint: string | undefined;
  errors: readonly string[];
  error?: string | undefined;
  custom?: CustomProfileValues | undefined;
}

function displayName(user: DirectoryUser): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name === '' ? user.email : name;
}

function userChoice(action: string, connection: Connection, user: DirectoryUser, hinted: boolean, extra: SafeHtml = html``): SafeHtml {
  return html`<form class="choice" method="post" action="${action}" data-email="${user.email}">
<input type="hidden" name="choice" value="user">${extra}
<input type="hidden" name="connection_id" value="${connection.id}">
<input type="hidden" name="idp_id" value="${user.idpId}">
<button type="submit"${hinted ? html` class="hinted" autofocus` : ''}>Sign in as <strong>${displayName(user)}</strong>
<span class="muted">&lt;${user.email}&gt;</span></button></form>`;
}

export function authorizePage(m: AuthorizePageModel): string {
  const action = `/_emulator/sso/authorize/${m.requestId}`;
  const hint = m.loginHint?.toLowerCase();
  const hintMatches = m.connections.some((c) => c.users.some((u) => u.email.toLowerCase() === hint));
  const custom: CustomProfileValues = m.custom ?? {
    connection_id: m.connections[0]?.id ?? '',
    email: hintMatches ? '' : (m.loginHint ?? ''),
    first_name: '',
    last_name: '',
    idp_id: '',
    groups: '',
    raw_attributes: '',
  };
  const body = html`<h1 data-request-id="${m.requestId}">Sign in with ${m.connections.map((c) => c.name).join(' / ')}</h1>
<p class="muted">Client <code>${m.clientId}</code> will receive the result at <code>${m.redirectUri}</code>.</p>
${m.error ? html`<p class="error" role="alert">${m.error}</p>` : ''}
${m.connections.map(
  (c) => html`<h2>${c.name} <span class="muted">(${c.type}${c.organizationId ? html`, ${c.organizationId}` : ''})</span></h2>
${c.users.length === 0 ? html`<p class="muted">No users configured for this connection.</p>` : ''}
${c.users.map((u) => userChoice(action, c, u, u.email.toLowerCase() === hint))}`,
)}
<h2>Sign in with a custom profile</h2>
<form method="post" action="${action}" id="custom-profile">
<input type="hidden" name="choice" value="custom">
${
  m.connections.length > 1
    ? html`<label for="connection_id">Connection</label><select id="connection_id" name="connection_id">${m.connections.map(
        (c) => html`<option value="${c.id}"${c.id === custom.connection_id ? html` selected` : ''}>${c.name}</option>`,
      )}</select>`
    : html`<input type="hidden" name="connection_id" value="${custom.connection_id}">`
}
<label for="email">Email</label><input id="email" name="email" type="email" required value="${custom.email}">
<label for="first_name">First name</label><input id="first_name" name="first_name" value="${custom.first_name}">
<label for="last_name">Last name</label><input id="last_name" name="last_name" value="${custom.last_name}">
<label for="idp_id">IdP user id <span class="muted">(derived from the email when empty)</span></label><input id="idp_id" name="idp_id" value="${custom.idp_id}">
<label for="groups">Groups <span class="muted">(comma-separated)</span></label><input id="groups" name="groups" value="${custom.groups}">
<label for="raw_attributes">Raw attributes <span class="muted">(JSON object)</span></label>
<textarea id="raw_attributes" name="raw_attributes" rows="4">${custom.raw_attributes}</textarea>
<p><button type="submit">Sign in with this profile</button></p></form>
<h2>Simulate an error</h2>
<form method="post" action="${action}" id="error-choice">
<input type="hidden" name="choice" value="error">
<label for="error">Error</label><select id="error" name="error">${m.errors.map((e) => html`<option>${e}</option>`)}</select>
<label for="error_description">Description</label><input id="error_description" name="error_description" placeholder="The user denied access.">
<p><button type="submit" class="secondary">Return the error to the application</button></p></form>`;
  return layout('Sign in', body);
}

export function idpInitiatedPage(client: Client, defaultRedirect: string | undefined, connections: readonly Connection[]): string {
  const action = '/_emulator/idp';
  const clientField = html`<input type="hidden" name="client_id" value="${client.clientId}">`;
  const body = html`<h1>IdP-initiated sign-in</h1>
<p class="muted">Choosing a user sends the browser to the default redirect URI of client <code>${client.clientId}</code>
(${defaultRedirect ? html`<code>${defaultRedirect}</code>` : 'none configured'}) with a code and no state, as when a user clicks the app's tile in their identity provider.</p>
${connections.map(
  (c) => html`<h2>${c.name} <span class="muted">(${c.type}${c.organizationId ? html`, ${c.organizationId}` : ''})</span></h2>
${c.users.map((u) => userChoice(action, c, u, false, clientField))}`,
)}`;
  return layout('IdP-initiated sign-in', body);
}

export function outboxPage(messages: readonly OutboxMessage[], filter: string | undefined): string {
  const rows = messages.map(
    (m) => html`<tr data-message-id="${m.id}" data-kind="${m.kind}" data-to="${m.to}">
<td>${m.sentAt}</td><td>${m.kind === 'sms' ? 'SMS' : 'Email'}</td><td>${m.to}</td>
<td><pre>${linkify(m.body)}</pre>${m.code ? html`<p>Code: <code class="otp">${m.code}</code></p>` : ''}${
      m.link ? html`<p><a class="link" href="${m.link}">Open the link</a></p>` : ''
    }</td></tr>`,
  );
  const body = html`<h1>Outbox</h1>
<p class="muted">Every email and SMS the emulator "sent", newest first${filter ? html`, to <code>${filter}</code>` : ''}. <a href="">Refresh</a></p>
${
  messages.length === 0
    ? html`<p>No messages yet.</p>`
    : html`<table><thead><tr><th>Sent</th><th>Kind</th><th>To</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`
}`;
  return layout('Outbox', body);
}

export function homePage(clients: readonly Client[], connections: readonly Connection[]): string {
  const body = html`<h1>WorkOS emulator</h1>
<p>Point the WorkOS SDK at this server with <code>{ apiHostname, https: false, port }</code>.</p>
<h2>Clients</h2><table><tr><th>Client id</th><th>API key</th><th>Redirect URIs</th></tr>${clients.map(
    (c) => html`<tr><td><code>${c.clientId}</code></td><td><code>${c.apiKey}</code></td><td>${c.redirectUris.map((u) => html`<code>${u}</code><br>`)}</td></tr>`,
  )}</table>
<h2>Connections</h2><ul>${connections.map(
    (c) => html`<li><code>${c.id}</code> ${c.name} (${c.type}${c.organizationId ? html`, ${c.organizationId}` : ''}): ${c.users.length} user(s)</li>`,
  )}</ul>
<p><a href="/_emulator/idp">IdP-initiated sign-in</a> · <a href="/_emulator/outbox.html">Outbox</a> · <a href="/_emulator/requests.html">Requests</a> ·
<a href="/_emulator/directory">Directory Sync</a></p>`;
  return layout('Home', body);
}

function statusClass(status: number | null): string {
  return status === null || status >= 400 ? 'error' : '';
}

function deliveriesTable(deliveries: readonly WebhookDelivery[]): SafeHtml {
  if (deliveries.length === 0) return html`<p>No webhook deliveries yet.</p>`;
  const rows = deliveries.map(
    (d) => html`<tr data-delivery-id="${d.id}" data-event="${d.event}"><td>${d.sentAt}</td><td><code>${d.event}</code><br><span class="muted">${d.eventId}</span></td>
<td><code>${d.url}</code></td><td class="${statusClass(d.status)}">${d.status ?? html`unreachable: ${d.error ?? ''}`}</td><td>${d.durationMs} ms</td><td><pre>${d.response}</pre></td></tr>`,
  );
  return html`<table><thead><tr><th>Sent</th><th>Event</th><th>Endpoint</th><th>Status</th><th>Time</th><th>Answer</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function requestsPage(requests: readonly RecordedRequest[], deliveries: readonly WebhookDelivery[]): string {
  const rows = requests.map(
    (r) => html`<tr data-request-id="${r.id}" data-method="${r.method}" data-status="${r.status}"><td>${r.at}</td><td>${r.method}</td><td><code>${r.path}</code>${
      r.body ? html`<pre class="muted">${JSON.stringify(r.body)}</pre>` : ''
    }</td><td class="${statusClass(r.status)}">${r.status}</td><td>${r.durationMs} ms</td><td>${r.client ?? html`<span class="muted">none</span>`}</td></tr>`,
  );
  const body = html`<h1>Requests</h1>
<p class="muted">Every API call the emulator received, newest first; secrets (API keys, codes, tokens, states) are masked. <a href="">Refresh</a> ·
JSON: <code>GET /_emulator/requests</code></p>
${
  requests.length === 0
    ? html`<p>No requests yet.</p>`
    : html`<table><thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Took</th><th>Client</th></tr></thead><tbody>${rows}</tbody></table>`
}
<h2 id="webhooks">Webhook deliveries</h2>
${deliveriesTable(deliveries)}`;
  return layout('Requests', body);
}

function eventButton(label: string, fields: Record<string, string>, secondary = true): SafeHtml {
  return html`<form class="inline" method="post" action="/_emulator/directory/events">${Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit"${secondary ? html` class="secondary"` : ''}>${label}</button></form>`;
}

function directoryUserRow(directory: SyncDirectory, user: SyncDirectoryUser): SafeHtml {
  const base = { directoryId: directory.id, user: user.idpId };
  const groups = directory.groups.map((g) =>
    user.groups.includes(g.name)
      ? eventButton(`Remove from ${g.name}`, { ...base, event: 'dsync.group.user_removed', group: g.name })
      : eventButton(`Add to ${g.name}`, { ...base, event: 'dsync.group.user_added', group: g.name }),
  );
  return html`<tr data-user="${user.email}" data-state="${user.state}"><td>${[user.firstName, user.lastName].filter(Boolean).join(' ')} <span class="muted">&lt;${user.email}&gt;</span><br>
<span class="muted">${user.idpId} · ${user.id}</span></td><td>${user.state}</td><td>${user.groups.join(', ')}</td><td>
${eventButton('Deprovision (delete)', { ...base, event: 'dsync.user.deleted' }, false)}
${
  user.state === 'active'
    ? eventButton('Suspend', { ...base, event: 'dsync.user.updated', state: 'inactive' })
    : eventButton('Reactivate', { ...base, event: 'dsync.user.updated', state: 'active' })
}
${groups}</td></tr>`;
}

export function directoryPage(
  directories: readonly SyncDirectory[],
  endpoints: readonly WebhookEndpoint[],
  deliveries: readonly WebhookDelivery[],
  sent: { event: WebhookEvent; deliveries: readonly WebhookDelivery[] } | undefined,
  error: string | undefined,
): string {
  const body = html`<h1>Directory Sync</h1>
<p class="muted">Each button changes the directory as its provider would and sends the <code>dsync.*</code> event, signed, to every webhook endpoint
(${endpoints.length === 0 ? 'none configured: add "webhooks" to the directory file' : endpoints.map((e, i) => html`${i > 0 ? ', ' : ''}<code>${e.url}</code>`)}).</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${
  sent
    ? html`<p class="sent" role="status">Sent <code>${sent.event.event}</code> (${sent.event.id}) to ${sent.deliveries.length} endpoint(s): ${sent.deliveries.map(
        (d, i) => html`${i > 0 ? ', ' : ''}${d.status ?? 'unreachable'}`,
      )}.</p>`
    : ''
}
${directories.map(
  (d) => html`<h2 data-directory-id="${d.id}">${d.name} <span class="muted">(${d.type}, ${d.organizationId}, <code>${d.id}</code>)</span></h2>
${
  d.users.length === 0
    ? html`<p class="muted">No users.</p>`
    : html`<table><thead><tr><th>User</th><th>State</th><th>Groups</th><th>Events</th></tr></thead><tbody>${d.users.map((u) => directoryUserRow(d, u))}</tbody></table>`
}
<form method="post" action="/_emulator/directory/events" class="new-user"><input type="hidden" name="event" value="dsync.user.created"><input type="hidden" name="directoryId" value="${d.id}">
<label>New user's email <input name="email" type="email" required></label><label>First name <input name="firstName"></label><label>Last name <input name="lastName"></label>
<p><button type="submit">Create (dsync.user.created)</button></p></form>`,
)}
${directories.length === 0 ? html`<p>No directories: add "directories" to the directory file.</p>` : ''}
<h2>Recent deliveries</h2>
${deliveriesTable(deliveries)}`;
  return layout('Directory Sync', body);
}

export function messagePage(title: string, message: string): string {
  return layout(title, html`<h1>${title}</h1><p>${message}</p>`);
}
