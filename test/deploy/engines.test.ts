// The Node versions package.json promises (engines.node) must be ones every
// installed production dependency accepts: a dependency that declares
// `node >= 22` under a root that says `>=20.19` is a promise the tree breaks.
// Reads node_modules/.package-lock.json (npm's record of what is installed,
// dev-only packages flagged) and each installed package.json.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';

const root = process.cwd();

type Installed = { path: string; name: string; version: string; engine: string | undefined };
type LockEntry = { version?: string; dev?: boolean; devOptional?: boolean; link?: boolean };

/** Every installed package that production needs (neither dev-only nor dev-optional), with its declared `engines.node`. */
function installedProduction(): Installed[] {
  const lock = JSON.parse(readFileSync(join(root, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const out: Installed[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev || entry.devOptional || entry.link) continue;
    const file = join(root, path, 'package.json');
    if (!existsSync(file)) continue; // an optional dependency for another platform
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string; engines?: { node?: string } };
    out.push({ path, name: pkg.name ?? path, version: pkg.version, engine: pkg.engines?.node });
  }
  return out;
}

/** The packages whose `engines.node` leaves out some Node version that `range` allows. */
function enginesExcluding(range: string, packages: Installed[]): Installed[] {
  return packages.filter((p) => p.engine !== undefined && !semver.subset(range, p.engine, { includePrerelease: false }));
}

describe('package.json engines', () => {
  const range = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

  it('is a valid range that includes the Node running the tests', () => {
    assert.ok(semver.validRange(range), range);
    assert.ok(semver.satisfies(process.versions.node, range), `${process.versions.node} outside ${range}`);
  });

  it('every installed production dependency accepts every Node version the root engines allow', () => {
    const packages = installedProduction();
    assert.ok(packages.length > 100, `read ${packages.length} production packages`);
    assert.ok(packages.some((p) => p.name === '@nestjs/core'), 'the production tree includes @nestjs/core');
    assert.ok(!packages.some((p) => p.name === 'typescript'), 'dev dependencies are left out');
    const bad = enginesExcluding(range, packages);
    assert.deepEqual(bad.map((p) => `${p.name}@${p.version} (node ${p.engine}) at ${p.path}`), []);
  });

  it('the check finds a dependency that wants a newer Node, or that leaves out one release line', () => {
    const fake = (name: string, engine: string): Installed => ({ path: `node_modules/${name}`, name, version: '1.0.0', engine });
    const found = enginesExcluding('^20.19.0 || ^22.13.0 || >=24.11.0', [fake('new-only', '>=22'), fake('gap', '^20.19.0 || >=24'), fake('fine', '>=18'), fake('exact', '^20.19.0 || ^22.12.0 || >=23')]);
    assert.deepEqual(found.map((p) => p.name), ['new-only', 'gap']);
    assert.deepEqual(enginesExcluding('>=20.19', [fake('cookie', '>=22')]).map((p) => p.name), ['cookie']);
  });
});
