// Pages are Nunjucks templates (autoescape on) looked up in the host's directories first, then the library's.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';
import type { PageOptions, Pages } from '../context.ts';
import { csrfToken } from './csrf.ts';
import { takeFlash } from './session.ts';

export const LIBRARY_VIEWS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');

export type { Message, PageOptions } from '../context.ts';

/** Reusable pages kept (see `PageOptions.reusable`); the set is emptied when full, as its keys hold typed values. */
const MAX_REUSED = 64;
/** Stands for the CSRF token in a kept page: letters and digits only, so escaping leaves it as it is. */
const TOKEN_MARK = `ewlcsrf${randomBytes(12).toString('hex')}`;

export class Renderer implements Pages {
  readonly env: nunjucks.Environment;
  /** Templates are re-read at every render (development): nothing rendered is kept either. */
  private readonly live: boolean;
  private readonly reused = new Map<string, readonly string[]>();

  constructor(
    templateDirs: readonly string[],
    private readonly globals: Record<string, unknown> = {},
  ) {
    this.live = process.env.NODE_ENV === 'development';
    const loader = new nunjucks.FileSystemLoader([...templateDirs, LIBRARY_VIEWS], { noCache: this.live });
    this.env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
  }

  /** Links every page needs, relative to where the router is mounted. */
  urls(req: Request): Record<string, string> {
    const base = req.baseUrl;
    return {
      login: `${base}/login/`,
      logout: `${base}/logout/`,
      passwordReset: `${base}/password_reset/`,
      passwordChange: `${base}/password_change/`,
      static: `${base}/static`,
    };
  }

  render(req: Request, res: Response, template: string, context: Record<string, unknown> = {}, options: PageOptions = {}): void {
    const token = req.session ? csrfToken(req) : '';
    const page = {
      ...this.globals,
      csrf_token: TOKEN_MARK,
      urls: this.urls(req),
      user: req.user ?? null,
      messages: [...(req.session ? takeFlash(req) : []), ...(options.messages ?? [])],
      ...context,
    };
    const name = `registration/${template}.html`;
    // A page's own context may set any of these, the token included; only the session's own token is ever marked.
    const marked = page.csrf_token === TOKEN_MARK;
    const html =
      marked && options.reusable && !this.live && page.user === null && page.messages.length === 0
        ? this.reuse(name, page).join(token)
        : this.env.render(name, marked ? { ...page, csrf_token: token } : page);
    if (options.noReferrer) res.setHeader('Referrer-Policy', 'no-referrer');
    // Written directly rather than with res.send: auth pages are no-store, so an ETag (a hash of every page) and
    // the 304 check it enables would only cost time.
    res.statusCode = options.status ?? 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(html));
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  /** The page rendered once for this context with a mark for the token, cut at each mark. */
  private reuse(name: string, page: Record<string, unknown>): readonly string[] {
    const key = `${name}\0${JSON.stringify(page)}`;
    let parts = this.reused.get(key);
    if (!parts) {
      parts = this.env.render(name, page).split(TOKEN_MARK);
      if (this.reused.size >= MAX_REUSED) this.reused.clear();
      this.reused.set(key, parts);
    }
    return parts;
  }
}
