import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientNats, MessagePattern, Payload, ServerNats, type CustomTransportStrategy } from '@nestjs/microservices';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { firstValueFrom, from, toArray, type Observable } from 'rxjs';
import type { RpcRoute } from '#contracts';
import { InvalidGrant, OAuthError } from '#oauth';
import { DirectNatsRequester } from './direct-nats.requester.js';
import { OAuthRpcExceptionFilter } from './oauth-rpc-exception.filter.js';
import { ReplyMux } from './reply-mux.js';
import { ServiceBus } from './service-bus.js';
import { SharedNatsServer } from './shared-nats.transport.js';

const NATS_URL = process.env.NATS_URL;

/** Subjects of this run only. */
const P = `spec.wire-interop.${process.pid}.${Date.now()}`;
const SUBJECT = { value: `${P}.value`, refused: `${P}.refused`, stream: `${P}.stream` };

@Controller()
class InteropController {
  @MessagePattern(SUBJECT.value)
  value(@Payload() payload: { n: number }): { doubled: number } {
    return { doubled: payload.n * 2 };
  }

  @MessagePattern(SUBJECT.refused)
  refused(): never {
    throw new InvalidGrant('the code was already used');
  }

  @MessagePattern(SUBJECT.stream)
  stream(): Observable<number> {
    return from([1, 2, 3]);
  }
}

@Module({ controllers: [InteropController] })
class InteropModule {}

async function serving(strategy: CustomTransportStrategy): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(InteropModule, { strategy, logger: false });
  app.useGlobalFilters(new OAuthRpcExceptionFilter('spec'));
  await app.listen();
  return app;
}

/**
 * A rolling upgrade mixes versions: callers and responders of an older
 * release speak NestJS's own ClientNats and ServerNats. Both directions must
 * keep working with SharedNatsServer and ServiceBus.
 */
describe('NestJS wire format: interoperation with NestJS\'s own NATS client and server', { skip: NATS_URL ? false : 'needs NATS_URL (a real nats-server)' }, () => {
  it('NestJS\'s ClientNats gets SharedNatsServer\'s answers: a value, an error envelope, a stream', async () => {
    const connection: NatsConnection = await connect({ servers: NATS_URL! });
    const app = await serving(new SharedNatsServer(connection, 'spec-interop'));
    await connection.flush();
    const client = new ClientNats({ servers: NATS_URL! });
    try {
      await client.connect();
      assert.deepEqual(await firstValueFrom(client.send(SUBJECT.value, { n: 4 })), { doubled: 8 });
      await assert.rejects(firstValueFrom(client.send(SUBJECT.refused, {})), (err: unknown) => {
        assert.ok(OAuthError.isEnvelope(err));
        assert.equal(err.error, 'invalid_grant');
        return true;
      });
      assert.deepEqual(await firstValueFrom(client.send<number>(SUBJECT.stream, {}).pipe(toArray())), [1, 2, 3]);
    } finally {
      await client.close();
      await app.close();
      await connection.close();
    }
  });

  it('ServiceBus gets the answers of NestJS\'s ServerNats (a replica of an older release): a value, an error class', async () => {
    const app = await serving(new ServerNats({ servers: NATS_URL!, queue: 'spec-interop' }));
    const connection = await connect({ servers: NATS_URL! });
    const mux = new ReplyMux(connection);
    const bus = new ServiceBus(new DirectNatsRequester(mux, () => true), 2000);
    try {
      const value: RpcRoute<{ n: number }, { doubled: number }> = { subject: SUBJECT.value, idempotent: true };
      const refused: RpcRoute<Record<string, never>, unknown> = { subject: SUBJECT.refused, idempotent: false };
      assert.deepEqual(await bus.request(value, { n: 5 }), { doubled: 10 });
      await assert.rejects(bus.request(refused, {}), (err: unknown) => err instanceof OAuthError && err.error === 'invalid_grant' && err.description === 'the code was already used');
    } finally {
      mux.close();
      await app.close();
      await connection.close();
    }
  });
});
