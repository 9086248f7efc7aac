import type { FactoryProvider } from '@nestjs/common';
import type { ExpiringRows } from './expiring-rows.js';
import { janitorConnector, janitorSettings, type HousekeepingConfig } from './housekeeping.config.js';
import { Janitor } from './janitor.js';

/**
 * The {@link Janitor} of a service, for its module's providers: `tasks`
 * gets the providers named in `inject` (the stores that know their rows'
 * horizons) and lists the rows to keep clean.
 */
export function janitorProvider<D extends unknown[]>(options: {
  service: string;
  lockKey: number;
  config: HousekeepingConfig;
  inject: { [K in keyof D]: abstract new (...args: never[]) => D[K] };
  tasks: (...stores: D) => ExpiringRows[];
}): FactoryProvider<Janitor> {
  const { service, lockKey, config, tasks } = options;
  return {
    provide: Janitor,
    inject: [...options.inject],
    useFactory: (...stores: unknown[]) =>
      new Janitor({ service, lockKey, tasks: tasks(...(stores as D)), connect: janitorConnector(config), settings: janitorSettings(config) }),
  };
}
