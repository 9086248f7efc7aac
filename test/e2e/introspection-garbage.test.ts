import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { sharedSuite, type RunningSuite } from '#testing';
import { assertInactive, basicAuth, introspect, machineClient, tokenFor, type RegisteredClient } from './support/http.js';

/**
 * Introspection of what is not one of our tokens (issue #14): forged,
 * oversized and garbage tokens are `{"active": false}` (RFC 7662 §2.2), and
 * are answered without asking the authorization service unless they have the
 * exact shape of its refresh tokens; a body over the gateway's limit is 413
 * with the connection closed cleanly, the response readable. The latency
 * figures are measured by bench/introspect-garbage.ts, not here.
 */

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface RawAnswer {
  status: number;
  head: string;
  /** How the connection ended: `end` (the server closed it after the answer) or the socket error's code. */
  ending: string;
}

/** Sends a body of `size` bytes in 64 KiB writes and reads whatever comes back, recording how the connection ended. */
function sendLargeBody(suite: RunningSuite, path: string, authorization: string, size: number): Promise<RawAnswer> {
  const url = new URL(suite.baseUrl);
  return new Promise((resolve) => {
    const socket = netConnect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let ending = '';
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text.slice(0, 400), ending });
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      ending ||= err.code ?? 'error';
    });
    socket.on('close', finish);
    socket.on('end', () => {
      ending ||= 'end';
    });
    socket.on('connect', async () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${authorization}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\n\r\ntoken=`);
      const chunk = Buffer.alloc(65_536, 'a');
      let sent = 6;
      while (sent < size && !socket.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!socket.write(part)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    });
  });
}

describe('introspection of forged, oversized and garbage tokens', () => {
  let suite: RunningSuite & { owned: boolean };
  let caller: RegisteredClient;
  let auth: string;
  let valid: string;

  before(async () => {
    suite = await sharedSuite();
    caller = await machineClient(suite, 'system/Patient.rs introspect');
    auth = basicAuth(caller.client_id, caller.client_secret!);
    valid = await tokenFor(suite, caller, 'system/Patient.rs');
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('answers exactly {"active":false} for every kind of garbage, and true for the valid token', async () => {
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const garbage: Array<[string, string]> = [
      ['a forged signature under our kid', `${header}.${b64({ ...claims, scope: 'system/*.cruds' })}.${signature}`],
      ['an unknown kid', `${b64({ ...headerJson, kid: 'no-such-kid' })}.${payload}.${signature}`],
      ['alg none', `${b64({ alg: 'none', typ: 'at+jwt', kid: headerJson.kid })}.${payload}.`],
      ['another issuer', `${header}.${b64({ ...claims, iss: 'https://evil.example' })}.${signature}`],
      ['an expired copy', `${header}.${b64({ ...claims, exp: 1000 })}.${signature}`],
      ['a header that is not JSON', `${Buffer.from('{{{').toString('base64url')}.${payload}.${signature}`],
      ['malformed text', 'not a token'],
      ['43 characters of base64url garbage', randomBytes(32).toString('base64url')],
      ['100 characters of base64url garbage', randomBytes(75).toString('base64url')],
      ['a 60,000-character token', 'a'.repeat(60_000)],
    ];
    await introspect(suite, valid, auth).then((r) => assert.equal(r.json.active, true, r.text));
    for (const [what, token] of garbage) await assertInactive(introspect(suite, token, auth), what);
  });

  it('a body over BODY_LIMIT_BYTES is 413, answered before the connection closes (no reset)', async () => {
    for (const size of [70_000, 1_048_576, 4 * 1_048_576]) {
      const answer = await sendLargeBody(suite, '/introspect', auth, size);
      assert.equal(answer.status, 413, `${size} bytes: ${answer.ending} ${answer.head}`);
      assert.match(answer.head, /connection: close/i, answer.head);
      assert.match(answer.head, /"error":"invalid_request"|payload|too large/i, answer.head);
      assert.equal(answer.ending, 'end', `${size} bytes: the connection ended with ${answer.ending}`);
    }
  });

  it('a 1 MB token sent by fetch (the body written whole before the answer is read) gets its 413, not a reset', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(new URL('/introspect', suite.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: `token=${'a'.repeat(1_048_576)}`,
      });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  it('keeps serving afterwards', async () => {
    await introspect(suite, valid, auth).then((r) => assert.equal(r.json.active, true, r.text));
  });
});
