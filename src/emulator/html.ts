// HTML for the emulator's pages. The `html` tag escapes every interpolated value unless it is already
// `SafeHtml`, so directory data, query parameters and message bodies can never inject markup.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Turns http(s) URLs in plain text into links; everything else stays escaped text. */
export function linkify(text: string): SafeHtml {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}`;
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;font-size:.85rem}
header a{color:#9cc3ff}
main{max-width:46rem;margin:1.5rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}h2{font-size:1.1rem;margin-top:1.6rem}
.muted{color:#667}.error{color:#a40000;background:#fff0f0;padding:.5rem .8rem;border-radius:4px}
button{font:inherit;cursor:pointer;padding:.45rem .9rem;border:1px solid #3a64d8;background:#3a64d8;color:#fff;border-radius:4px}
button.secondary{background:#fff;color:#3a64d8}
form.choice{margin:.4rem 0}form.choice button{width:100%;text-align:left;background:#fff;color:#1d2330;border-color:#cdd}
form.choice button.hinted{border:2px solid #3a64d8;background:#eef3ff}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input,textarea,select{font:inherit;width:100%;box-sizing:border-box;padding:.35rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e5e8;padding:.4rem;text-align:left;vertical-align:top}
code.otp{font-size:1.2rem;background:#eef3ff;padding:.1rem .4rem;border-radius:3px}
pre{white-space:pre-wrap;margin:0;font:inherit}
td.error{color:#a40000;font-weight:600}.sent{background:#eefbea;padding:.5rem .8rem;border-radius:4px}
form.inline{display:inline-block;margin:.15rem .2rem .15rem 0}form.inline button{padding:.2rem .5rem;font-size:.85rem}
`;

export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · WorkOS emulator</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header>Local WorkOS emulator, not a real identity provider ·
<a href="/">home</a> · <a href="/_emulator/idp">IdP-initiated login</a> · <a href="/_emulator/outbox.html">outbox</a> ·
<a href="/_emulator/requests.html">requests</a> · <a href="/_emulator/directory">directory sync</a></header>
<main>${body}</main></body></html>`.value;
}
