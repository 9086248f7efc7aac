import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable, isTransactionConflict } from './database-outage.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  const unavailable: Array<[string, unknown]> = [
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['a connect timeout of the pool', new Error('timeout exceeded when trying to connect')],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['SQLSTATE 08006 connection_failure', withCode('08006')],
    ['SQLSTATE 57P01 admin_shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['SQLSTATE 57P03 cannot_connect_now', withCode('57P03', 'the database system is starting up')],
    ['SQLSTATE 53300 too_many_connections', withCode('53300')],
    ['SQLSTATE 57014 statement timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['a TypeORM QueryFailedError around a cut connection', Object.assign(new Error('Query failed'), { driverError: new Error('Connection terminated unexpectedly') })],
    ['a cause chain', new Error('could not save', { cause: withCode('ECONNREFUSED') })],
    ['SQLSTATE 57P02 crash_shutdown', withCode('57P02')],
    ['SQLSTATE 08003 connection_does_not_exist', withCode('08003')],
    ['a query runner released when its connection died (pg_terminate_backend mid-transaction)', new QueryRunnerAlreadyReleasedError()],
    ['an EntityManager whose query runner was released', new QueryRunnerProviderAlreadyReleasedError()],
    ['an AggregateError of connect attempts', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')],
  ];
  for (const [name, error] of unavailable) it(`is true for ${name}`, () => assert.equal(isDatabaseUnavailable(error), true));

  const bugs: Array<[string, unknown]> = [
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601', 'syntax error at or near "SELEC"')],
    ['an undefined table', withCode('42P01', 'relation "nope" does not exist')],
    ['a serialization failure (retried as a conflict instead)', withCode('40001')],
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['a self-referencing cause', (() => { const e = new Error('loop') as Error & { cause?: unknown }; e.cause = e; return e; })()],
  ];
  for (const [name, error] of bugs) it(`is false for ${name}`, () => assert.equal(isDatabaseUnavailable(error), false));
});

describe('isTransactionConflict', () => {
  const conflicts: Array<[string, unknown]> = [
    ['SQLSTATE 40001 serialization_failure', withCode('40001', 'could not serialize access due to concurrent update')],
    ['SQLSTATE 40P01 deadlock_detected', withCode('40P01', 'deadlock detected')],
    ['a TypeORM QueryFailedError around a deadlock', Object.assign(new Error('Query failed'), { driverError: withCode('40P01') })],
  ];
  for (const [name, error] of conflicts) it(`is true for ${name}`, () => assert.equal(isTransactionConflict(error), true));
  const others: Array<[string, unknown]> = [
    ['a unique violation', withCode('23505')],
    ['a terminated connection', withCode('57P01')],
    ['undefined', undefined],
  ];
  for (const [name, error] of others) it(`is false for ${name}`, () => assert.equal(isTransactionConflict(error), false));
});
