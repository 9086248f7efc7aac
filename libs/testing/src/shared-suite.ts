import { SERVICE_NAMES, startSuite, type RunningSuite } from './suite-harness.js';

/**
 * The suite the end-to-end files share. tools/run-tests.mjs starts one suite
 * for the whole run and hands it over in E2E_* variables; a test file run on
 * its own starts (and stops) its own.
 */
export async function sharedSuite(): Promise<RunningSuite & { owned: boolean }> {
  const baseUrl = process.env.E2E_BASE_URL;
  if (baseUrl) {
    return {
      owned: false,
      mode: (process.env.E2E_MODE as RunningSuite['mode']) ?? 'processes',
      baseUrl,
      issuer: baseUrl,
      fhirBaseUrl: `${baseUrl}/fhir`,
      adminClientId: process.env.E2E_ADMIN_CLIENT_ID ?? '',
      adminClientSecret: process.env.E2E_ADMIN_CLIENT_SECRET ?? '',
      env: JSON.parse(process.env.E2E_SERVICE_ENV ?? '{}') as NodeJS.ProcessEnv,
      databaseUrl: process.env.E2E_DATABASE_URL || undefined,
      // The management ports of the processes started first (metrics, health), handed over read-only.
      managementUrl(service) {
        const urls = JSON.parse(process.env.E2E_MANAGEMENT_URLS ?? '{}') as Record<string, string>;
        const url = urls[service];
        if (!url) throw new Error(`the shared suite handed over no management port for ${service}; start your own suite`);
        return url;
      },
      managementUrlOf() {
        throw new Error('the shared suite does not hand its management ports over; start your own suite');
      },
      logLines() {
        return [];
      },
      async startService() {
        throw new Error('the shared suite cannot start services; start your own suite');
      },
      async stopService() {
        throw new Error('the shared suite cannot stop services; start your own suite');
      },
      processes() {
        throw new Error('the shared suite does not hand over its processes; start your own suite');
      },
      async stop() {},
    };
  }
  return { ...(await startSuite()), owned: true };
}

/** Environment that hands a running suite over to test processes. */
export function suiteEnvironment(suite: RunningSuite): NodeJS.ProcessEnv {
  return {
    E2E_BASE_URL: suite.baseUrl,
    E2E_MODE: suite.mode,
    E2E_ADMIN_CLIENT_ID: suite.adminClientId,
    E2E_ADMIN_CLIENT_SECRET: suite.adminClientSecret,
    E2E_DATABASE_URL: suite.databaseUrl ?? '',
    E2E_SERVICE_ENV: JSON.stringify(suite.env),
    E2E_MANAGEMENT_URLS: JSON.stringify(managementUrls(suite)),
  };
}

/** Each service's management URL (`suite` alone in the embedded mode), for reading metrics from a shared suite. */
function managementUrls(suite: RunningSuite): Record<string, string> {
  const names: ReadonlyArray<(typeof SERVICE_NAMES)[number] | 'suite'> = suite.mode === 'embedded' ? ['suite'] : SERVICE_NAMES;
  const urls: Record<string, string> = {};
  for (const name of names) {
    try {
      urls[name] = suite.managementUrl(name);
    } catch {
      // no management port for it
    }
  }
  return urls;
}
