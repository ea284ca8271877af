// Pages are Nunjucks templates (autoescape on) looked up in the host's directories first, then the library's.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';
import type { PageOptions, Pages } from '../context.ts';
import { csrfToken } from './csrf.ts';
import { takeFlash } from './session.ts';

export const LIBRARY_VIEWS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');

export type { Message, PageOptions } from '../context.ts';

export class Renderer implements Pages {
  readonly env: nunjucks.Environment;

  constructor(
    templateDirs: readonly string[],
    private readonly globals: Record<string, unknown> = {},
  ) {
    const loader = new nunjucks.FileSystemLoader([...templateDirs, LIBRARY_VIEWS], { noCache: process.env.NODE_ENV === 'development' });
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
    const html = this.env.render(`registration/${template}.html`, {
      ...this.globals,
      csrf_token: req.session ? csrfToken(req) : '',
      urls: this.urls(req),
      user: req.user ?? null,
      messages: [...(req.session ? takeFlash(req) : []), ...(options.messages ?? [])],
      ...context,
    });
    if (options.noReferrer) res.setHeader('Referrer-Policy', 'no-referrer');
    // Written directly rather than with res.send: auth pages are no-store, so an ETag (a hash of every page) and
    // the 304 check it enables would only cost time.
    res.statusCode = options.status ?? 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(html));
    res.end(req.method === 'HEAD' ? undefined : html);
  }
}
