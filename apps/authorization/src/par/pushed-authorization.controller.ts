import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type PushedAuthorizationRequest, type PushedAuthorizationResponse } from '#contracts';
import { InvalidRequest } from '#oauth';
import { PushedAuthorization } from './pushed-authorization.service.js';

/** The payload is JSON from the bus: form parameters must be strings, credentials an object. */
function assertPushedRequest(payload: unknown): asserts payload is PushedAuthorizationRequest {
  const p = payload as Partial<PushedAuthorizationRequest> | null;
  const params = p?.params as unknown;
  const paramsOk = typeof params === 'object' && params !== null && !Array.isArray(params) && Object.values(params).every((v) => typeof v === 'string');
  const authOk = typeof p?.auth === 'object' && p.auth !== null && typeof (p.auth as { method?: unknown }).method === 'string';
  const dpopOk = p?.dpop === undefined || (Array.isArray(p.dpop) && p.dpop.every((v) => typeof v === 'string'));
  if (!paramsOk || !authOk || !dpopOk || (p.requestId !== undefined && typeof p.requestId !== 'string')) throw new InvalidRequest('malformed pushed authorization request');
}

@Controller()
export class PushedAuthorizationController {
  constructor(private readonly pushes: PushedAuthorization) {}

  /** RFC 9126 §2, behind the gateway's `POST /par`. */
  @MessagePattern(Rpc.authorization.par.subject)
  push(@Payload() payload: unknown): Promise<PushedAuthorizationResponse> {
    assertPushedRequest(payload);
    return this.pushes.push(payload);
  }
}
