import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';
import { InvalidGrant, OAuthError, ServerError, TemporarilyUnavailable } from '#oauth';
import { BrokerUnavailable, NoMatchingHandler, NoResponders, ReplyTimeout, RequesterClosed, requestFailureOf, ResponderLost } from './transport-errors.js';

const SUBJECT = 'smart.token.v1.issue';

describe('requestFailureOf: a failed request mapped by its error class', () => {
  const unavailable: Array<[string, unknown]> = [
    ['no responders (the NATS server\'s 503)', new NoResponders('x')],
    ['no connection', new BrokerUnavailable('x')],
    ['requester closed', new RequesterClosed('x')],
    ['no handler on the replica (NestJS status: error)', new NoMatchingHandler('x')],
    ['nats.js NoRespondersError', new NoRespondersError(SUBJECT)],
    ['nats.js ClosedConnectionError', new ClosedConnectionError()],
    ['nats.js DrainingConnectionError', new DrainingConnectionError()],
    ['nats.js RequestError', new RequestError('x')],
    ['nats.js TimeoutError', new NatsTimeoutError()],
  ];
  for (const [name, err] of unavailable) {
    it(`${name}: 503 "not available", logged at debug`, () => {
      const failure = requestFailureOf(SUBJECT, err);
      assert.ok(failure.error instanceof TemporarilyUnavailable);
      assert.equal(failure.error.description, 'a backing service is not available');
      assert.equal(failure.log?.level, 'debug');
    });
  }

  it('a lost responder: 503 "stopped answering", logged as a warning', () => {
    const failure = requestFailureOf(SUBJECT, new ResponderLost('silent for 700 ms'));
    assert.ok(failure.error instanceof TemporarilyUnavailable);
    assert.equal(failure.error.description, 'a backing service stopped answering');
    assert.deepEqual(failure.log, { level: 'warn', message: `${SUBJECT}: silent for 700 ms` });
  });

  it('no answer in time: 503 "did not answer in time", logged as a warning', () => {
    const failure = requestFailureOf(SUBJECT, new ReplyTimeout('late'));
    assert.ok(failure.error instanceof TemporarilyUnavailable);
    assert.equal(failure.error.description, 'a backing service did not answer in time');
    assert.deepEqual(failure.log, { level: 'warn', message: `no answer on ${SUBJECT} in time` });
  });

  it('an error envelope: its own class back, not logged', () => {
    const failure = requestFailureOf(SUBJECT, new InvalidGrant('the code was already used').toEnvelope());
    assert.ok(failure.error instanceof OAuthError);
    assert.equal(failure.error.error, 'invalid_grant');
    assert.equal(failure.error.status, 400);
    assert.equal(failure.error.description, 'the code was already used');
    assert.equal(failure.log, undefined);
  });

  it('anything else is a bug, server_error, logged as an error, whatever its text says', () => {
    for (const err of [new Error('connection closed'), 'no responders', 'There is no matching message handler defined in the remote service.', { code: 503 }]) {
      const failure = requestFailureOf(SUBJECT, err);
      assert.ok(failure.error instanceof ServerError, String(err));
      assert.equal(failure.log?.level, 'error');
    }
  });
});
