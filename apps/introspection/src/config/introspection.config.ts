import { DatabaseConfig } from '#nest';

export class IntrospectionConfig extends DatabaseConfig {}
