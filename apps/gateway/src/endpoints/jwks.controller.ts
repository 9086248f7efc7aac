import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { entityEventsSubject, Rpc, WebRoutes } from '#contracts';
import { EventBus, ServiceBus } from '#nest';

interface Published {
  at: number;
  body: string;
  etag: string;
  maxAgeSeconds: number;
}

/** RFC 9110 §13.1.2: does an If-None-Match header list this entity tag (weak comparison)? */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * GET /jwks: public keys only. Cacheable as long as the jwks service says:
 * never past the next scheduled change of the key set, nor longer than the
 * pre-publication window of a `next` key (see apps/jwks keys/rotation-schedule.ts).
 */
@Controller()
export class JwksController implements OnModuleDestroy {
  /** The jwks service's answer, kept a second at most and dropped when the ring changes. */
  private cached?: Published;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    @Inject(EventBus) events: EventBus,
  ) {
    this.unsubscribe = events.subscribe(entityEventsSubject('key'), () => {
      this.cached = undefined;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  @Get(WebRoutes.jwks.path)
  async jwks(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    let published = this.cached;
    if (!published || Date.now() - published.at > 1000) {
      const { keys, maxAgeSeconds } = await this.bus.request(Rpc.jwks.publicKeys, {});
      const body = JSON.stringify({ keys });
      published = { at: Date.now(), body, maxAgeSeconds, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
      this.cached = published;
    }
    const { at, body, etag, maxAgeSeconds } = published;
    // The answer may be up to a second old here: count that second against its lifetime.
    const maxAge = Math.max(0, maxAgeSeconds - Math.ceil((Date.now() - at) / 1000));
    reply.header('cache-control', `public, max-age=${maxAge}`).header('etag', etag);
    const ifNoneMatch = req.headers['if-none-match'];
    if (matches(typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined, etag)) {
      reply.code(304).send();
      return;
    }
    reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
