import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Rpc, type DiscoveryFragment, type PublicJwksResponse, type SigningKeysResponse } from '#contracts';
import { JwksConfig } from './config/jwks.config.js';
import { KeyRingService } from './keys/key-ring.service.js';

@Controller()
export class JwksController {
  constructor(
    private readonly ring: KeyRingService,
    private readonly config: JwksConfig,
  ) {}

  @MessagePattern(Rpc.jwks.publicKeys.subject)
  publicKeys(): PublicJwksResponse {
    return { keys: this.ring.publicKeys(), maxAgeSeconds: this.config.JWKS_MAX_AGE_SECONDS };
  }

  @MessagePattern(Rpc.jwks.signingKeys.subject)
  signingKeys(): SigningKeysResponse {
    return { keys: this.ring.signingKeys() };
  }

  @MessagePattern(Rpc.service.jwks.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'jwks', endpoints: { jwks_uri: '/jwks' } };
  }
}
