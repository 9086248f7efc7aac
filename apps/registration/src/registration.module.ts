import type { DynamicModule } from '@nestjs/common';
import { BearerTokens, healthControllerFor, outboxJanitorProvider, outboxProvider, RuntimeModule, serviceTables, type SuiteRuntime } from '#nest';
import { AdminClientBootstrap } from './clients/admin-client.bootstrap.js';
import { AdminClientsController } from './clients/admin-clients.controller.js';
import { AdminClientsService } from './clients/admin-clients.service.js';
import { AdminAccess } from './clients/admin-access.js';
import { AdminClientChanges } from './clients/admin-client-changes.service.js';
import { ClientInsight } from './clients/client-insight.js';
import { ClientEventPublisher } from './clients/client-events.publisher.js';
import { RegistrationController } from './clients/registration.controller.js';
import { RegistrationService } from './clients/registration.service.js';
import { RegistrationConfig } from './config/registration.config.js';
import { TRUST_CONFIGURATION, type TrustConfiguration } from './config/trust-config.js';
import { RegistrationTrust } from './clients/registration-trust.service.js';
import { DeclaredClientsReconciler } from './declared-clients/declared-clients.reconciler.js';
import { DeclaredClientsSource } from './declared-clients/declared-clients.source.js';
import { ClientStore } from './persistence/client.store.js';
import { ClientEntity } from './persistence/entities/client.entity.js';
import { REGISTRATION_MIGRATIONS } from './persistence/migrations/index.js';
import { UdapClientRegistrations } from './udap/udap-client-registrations.js';
import { UDAP_CONFIGURATION, type UdapConfiguration } from './udap/udap-configuration.js';
import { UdapController } from './udap/udap.controller.js';
import { UdapMetadata } from './udap/udap-metadata.service.js';
import { UdapRegistration } from './udap/udap-registration.service.js';

/** Key of the registration service's housekeeping advisory lock ("hkre" in ASCII). */
export const REGISTRATION_HOUSEKEEPING_LOCK = 0x686b7265;

export function registrationModule(config: RegistrationConfig, trust: TrustConfiguration, udap: UdapConfiguration | null, runtime: SuiteRuntime, declared?: DeclaredClientsSource): DynamicModule {
  return {
    module: class RegistrationModule {},
    imports: [RuntimeModule.forService('registration', runtime, config.RPC_TIMEOUT_MS), ...serviceTables('registration', config, [ClientEntity], REGISTRATION_MIGRATIONS)],
    controllers: [RegistrationController, UdapController, AdminClientsController, healthControllerFor('registration')],
    providers: [
      { provide: RegistrationConfig, useValue: config },
      { provide: TRUST_CONFIGURATION, useValue: trust },
      { provide: UDAP_CONFIGURATION, useValue: udap },
      RegistrationTrust,
      UdapMetadata, UdapRegistration, UdapClientRegistrations,
      outboxProvider('registration'), outboxJanitorProvider('registration', REGISTRATION_HOUSEKEEPING_LOCK, config), ClientStore, ClientEventPublisher, RegistrationService, AdminClientBootstrap, BearerTokens, AdminAccess, ClientInsight, AdminClientsService, AdminClientChanges,
      ...(declared ? [{ provide: DeclaredClientsSource, useValue: declared }] : []),
      DeclaredClientsReconciler,
    ],
  };
}
