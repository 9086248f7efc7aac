import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Rpc,
  type DiscoveryFragment,
  type KeyListResponse,
  type PublicJwksResponse,
  type RotateKeysResponse,
  type SigningKeysResponse,
} from '#contracts';
import { BearerTokens } from '#nest';
import { InvalidRequest } from '#oauth';
import { KeyRingService } from './keys/key-ring.service.js';
import { KeyRotationService } from './keys/key-rotation.service.js';

/** The scope of an administrator's access token. */
const ADMIN_SCOPE = 'admin';

/** An admin payload from the bus: an optional Authorization header and request id, plus the members named. */
function adminPayload(payload: unknown, members: readonly string[]): Record<string, string | undefined> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidRequest('malformed request');
  const allowed = new Set(['authorization', 'requestId', ...members]);
  for (const [name, value] of Object.entries(payload)) {
    if (!allowed.has(name)) throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
    if (value !== undefined && typeof value !== 'string') throw new InvalidRequest(`${name} must be a string`);
  }
  return payload as Record<string, string | undefined>;
}

@Controller()
export class JwksController {
  constructor(
    private readonly ring: KeyRingService,
    private readonly rotation: KeyRotationService,
    private readonly bearer: BearerTokens,
  ) {}

  @MessagePattern(Rpc.jwks.publicKeys.subject)
  publicKeys(): PublicJwksResponse {
    return { keys: this.ring.publicKeys(), maxAgeSeconds: this.rotation.maxAgeSeconds() };
  }

  @MessagePattern(Rpc.jwks.signingKeys.subject)
  signingKeys(): SigningKeysResponse {
    return { keys: this.ring.signingKeys() };
  }

  /** GET /admin/keys: kid, alg, state and dates of every key (scope `admin`). */
  @MessagePattern(Rpc.jwks.listKeys.subject)
  async listKeys(@Payload() payload: unknown): Promise<KeyListResponse> {
    const { authorization } = adminPayload(payload, []);
    await this.bearer.requireScope({ authorization }, [ADMIN_SCOPE]);
    return this.rotation.describe();
  }

  /** POST /admin/keys/rotate: rotate one algorithm, or every configured one (scope `admin`). */
  @MessagePattern(Rpc.jwks.rotate.subject)
  async rotate(@Payload() payload: unknown): Promise<RotateKeysResponse> {
    const { authorization, alg, requestId } = adminPayload(payload, ['alg']);
    await this.bearer.requireScope({ authorization }, [ADMIN_SCOPE]);
    if (alg !== undefined && !this.rotation.algs.includes(alg)) {
      throw new InvalidRequest(`alg must be one of the signing algorithms: ${this.rotation.algs.join(', ')}`);
    }
    return { rotated: await this.rotation.force(alg === undefined ? undefined : [alg], requestId) };
  }

  @MessagePattern(Rpc.service.jwks.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'jwks', endpoints: { jwks_uri: '/jwks' } };
  }
}
