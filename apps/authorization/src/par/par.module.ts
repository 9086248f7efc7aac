import { Module } from '@nestjs/common';
import { AssertionReplayStore, DpopProofVerifier } from '#nest';
import { LaunchModule } from '../launch/launch.module.js';
import { PushedAuthorizationController } from './pushed-authorization.controller.js';
import { PushedAuthorization } from './pushed-authorization.service.js';
import { PushedRequestStore } from './pushed-request.store.js';

/** Pushed authorization requests (RFC 9126): `POST /par` and their store, read by `/authorize`. */
@Module({ imports: [LaunchModule], controllers: [PushedAuthorizationController], providers: [PushedRequestStore, PushedAuthorization, { provide: DpopProofVerifier, inject: [AssertionReplayStore], useFactory: (replays: AssertionReplayStore) => new DpopProofVerifier(replays) }], exports: [PushedRequestStore] })
export class ParModule {}
