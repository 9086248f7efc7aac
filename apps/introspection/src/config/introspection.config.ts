import { HousekeepingConfig } from '#nest';

/** The introspection service's settings: the database's and the janitor's of its revocation tables. */
export class IntrospectionConfig extends HousekeepingConfig {}
