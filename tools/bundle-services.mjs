// Bundles each service's compiled entry (dist/apps/<service>/service.js, from
// apps/<service>/service.ts) with the code it imports into one file,
// dist/apps/<service>/main.js: the file every deployment runs (`node
// dist/apps/<service>/main.js`). Measured on the 2-core reference machine
// (2026-12-07): loading the token service's ~2,000 modules one by one took
// 1.1–1.4 CPU-seconds, the bundle 0.5–0.6; that was four fifths of a
// process's start, and the test suite starts about 200 processes.
//
// What stays outside the bundle, loaded from node_modules as usual:
// - packages NestJS and TypeORM load only if installed (other transports,
//   drivers and platforms: never installed here);
// - pino (its transports run in worker threads that load files by path) and
//   PGlite (its WebAssembly and data files sit beside its modules).
// The unbundled entry, service.js, still runs on its own (`node
// dist/apps/<service>/service.js`), for debugging with the original files.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';

export const BUNDLED = ['audit', 'authorization', 'gateway', 'introspection', 'jwks', 'registration', 'token', 'suite'];

const LOADED_BY_PATH = ['pino', 'pino-pretty', 'thread-stream', '@electric-sql/*'];

/**
 * NestJS and TypeORM import other transports, drivers and platforms only if
 * they are installed (inside a try, or a `loadPackage`): a package that is
 * not installed stays an import for run time, where it fails as it would
 * unbundled.
 */
const loadedIfInstalled = {
  name: 'loaded-if-installed',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, async (args) => {
      if (args.pluginData === 'probe' || args.path.startsWith('node:')) return undefined;
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'probe' });
      return found.errors.length ? { path: args.path, external: true } : undefined;
    });
  },
};

/**
 * A module that finds files beside itself through `import.meta.url` (the
 * authorization service's page templates) would look beside the bundle
 * instead: its `import.meta.url` becomes its own compiled file's URL again,
 * reached from the bundle's, so the files are found where the build put them.
 */
function ownUrlPlugin(outfile) {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]dist[\\/](apps|libs)[\\/].*\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const own = relative(dirname(outfile), args.path).split('\\').join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Bundles every service found in dist/apps; returns the bundles written. */
export async function bundleServices(root = process.cwd()) {
  const written = [];
  for (const name of BUNDLED) {
    const entry = resolve(root, 'dist/apps', name, 'service.js');
    const outfile = resolve(root, 'dist/apps', name, 'main.js');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // No keepNames: it wraps every function made at run time in a call that defines its `name`
      // (measured: 8 % of the gateway's CPU under load, 2026-12-07). Nothing here depends on a class's
      // name: entities, migrations and errors name themselves, NestJS and TypeORM hold classes by reference;
      // a class esbuild renames to avoid a clash (Foo → Foo2) only shows so in a log line.
      sourcemap: 'linked',
      sourcesContent: false,
      external: LOADED_BY_PATH,
      // CommonJS modules inside an ES module bundle still call require() for Node's own modules.
      banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
      plugins: [loadedIfInstalled, ownUrlPlugin(outfile)],
      logLevel: 'warning',
    });
    written.push(outfile);
  }
  return written;
}
