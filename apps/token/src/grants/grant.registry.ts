import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequest, UnsupportedGrantType } from '#oauth';
import { GRANT_HANDLERS, type GrantHandler } from './grant-handler.js';

/** Finds the handler of a `grant_type`. */
@Injectable()
export class GrantRegistry {
  private readonly handlers: Map<string, GrantHandler>;

  constructor(@Inject(GRANT_HANDLERS) handlers: GrantHandler[]) {
    this.handlers = new Map(handlers.map((h) => [h.grantType, h]));
  }

  get grantTypes(): string[] {
    return [...this.handlers.keys()];
  }

  /** RFC 6749 §5.2: a missing grant_type is invalid_request, an unknown one unsupported_grant_type. */
  resolve(grantType: string | undefined): GrantHandler {
    if (grantType === undefined || grantType === '') throw new InvalidRequest('grant_type is required');
    const handler = this.handlers.get(grantType);
    if (!handler) throw new UnsupportedGrantType(`grant_type "${grantType.slice(0, 100)}" is not supported`);
    return handler;
  }
}
