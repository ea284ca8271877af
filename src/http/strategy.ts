// The base of the library's own Passport strategies (SSO, magic link): each is bound to one router's context and
// the method service that verifies, and built anew for every host route that asks for one.
import { Strategy } from 'passport-strategy';
import type { Context } from '../context.ts';

export abstract class BoundStrategy<Service, Options> extends Strategy {
  constructor(
    protected readonly ctx: Context,
    protected readonly service: Service,
    protected readonly options: Options,
  ) {
    super();
  }
}
