// ESLint (flat config) for the whole workspace, run by `npm test` before the
// tests (tools/run-tests.mjs). Syntax-only typescript-eslint rules: no type
// information, so the run stays a few seconds on two cores.
//
// Module boundaries follow the Nx tags in each project.json, read below:
//   type:app       apps/<x>: imports #contracts, #oauth, #nest, its own files,
//                  and #testing in specs only; never another app's files.
//   type:contracts libs/contracts: imports no other lib.
//   type:util      libs/oauth, libs/nest: import #contracts and each other.
//   type:testing   libs/testing: imported by specs and tests only.
// No lib imports from apps/, and a lib imports another lib through its
// `#name` (package.json `imports`), never through a relative path.
// Inside the authorization service, flow/ never imports web/.
// test/ and bench/ are black-box suites that may read an app's files
// (migrations, the embedded database, the clients-file parser).
import { readdirSync, readFileSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The projects under apps/ and libs/ with their Nx tags. */
function projects(root) {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const project = JSON.parse(readFileSync(`${root}/${entry.name}/project.json`, 'utf8'));
      const type = project.tags.find((tag) => tag.startsWith('type:')).slice('type:'.length);
      return { name: entry.name, dir: `${root}/${entry.name}`, type };
    });
}

const apps = projects('apps');
const libs = projects('libs');
const libsOfType = (...types) => libs.filter((lib) => types.includes(lib.type)).map((lib) => lib.name);

/** A relative import that climbs into `<name>/src/` (another project's sources). */
const intoProject = (names, message) => ({
  regex: `^(\\.\\./)+((apps|libs)/)?(${names.join('|')})/src(/|$)`,
  message,
});
const intoApps = { regex: '^(\\.\\./)+apps/', message: 'Libraries never import from apps/.' };
const theLib = (names, message) => ({ regex: `^#(${names.join('|')})(/|$)`, message });

/** Specs and the fixtures only they use: test code, which may use #testing. */
const specFiles = ['**/*.spec.ts', '**/*.fixtures.ts'];

/** One `no-restricted-imports` entry per file glob (the rule's options do not merge across entries). */
function restrict(files, patterns, ignores = []) {
  return { files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

// The one exception: apps/suite (scope:suite) is the embedded all-in-one
// process, the composition root that starts every service in one process
// and migrates their schemas. It may import another app's entry point
// (src/start.ts), its migration list and the authorization service's demo
// data, and nothing else of it.
const suiteMayImport = '(?!(start|persistence/migrations/index|users/demo-data)\\.js$)';

/** What a file of `app` may not import (specs may also use #testing). */
function appPatterns(app, { spec }) {
  const others = apps.filter((other) => other.name !== app.name).map((other) => other.name);
  const intoOthers = intoProject(others, `Apps never import each other: ${app.name} talks to the others over NATS or HTTP.`);
  if (app.name === 'suite') intoOthers.regex = intoOthers.regex.replace('/src(/|$)', `/src(/|$)${suiteMayImport}`);
  return [
    intoOthers,
    intoProject(libs.map((lib) => lib.name), 'Import a library through its #name.'),
    ...(spec ? [] : [theLib(libsOfType('testing'), '#testing is for specs and tests only.')]),
  ];
}

/** What a file of `lib` may not import, by its type tag. */
function libPatterns(lib, { spec }) {
  const others = libs.filter((other) => other.name !== lib.name).map((other) => other.name);
  const forbidden =
    lib.type === 'contracts' ? others : lib.type === 'util' && !spec ? libsOfType('testing') : [];
  return [
    intoApps,
    intoProject(others, 'Import a library through its #name.'),
    ...(forbidden.length ? [theLib(forbidden, `${lib.name} (type:${lib.type}) may not import ${forbidden.map((n) => `#${n}`).join(', ')}.`)] : []),
  ];
}

// The authorization service's flow/ (the interaction state machine) never imports its web/ layer.
const flowNotWeb = { regex: '^(\\.\\./)+web(/|$)', message: 'flow/ never imports web/: the web layer drives the flow, not the reverse.' };
const authorization = apps.find((app) => app.name === 'authorization');
const flowFiles = [`${authorization.dir}/src/flow/**/*.ts`];

const boundaries = [
  ...apps.flatMap((app) => [
    restrict([`${app.dir}/**/*.ts`], appPatterns(app, { spec: false }), specFiles),
    restrict(specFiles.map((glob) => `${app.dir}/${glob}`), appPatterns(app, { spec: true })),
  ]),
  restrict(flowFiles, [...appPatterns(authorization, { spec: false }), flowNotWeb], specFiles),
  restrict(flowFiles.map((glob) => glob.replace(/\*\.ts$/, '*.spec.ts')), [...appPatterns(authorization, { spec: true }), flowNotWeb]),
  ...libs.flatMap((lib) => [
    restrict([`${lib.dir}/**/*.ts`], libPatterns(lib, { spec: false }), specFiles),
    restrict(specFiles.map((glob) => `${lib.dir}/${glob}`), libPatterns(lib, { spec: true })),
  ]),
];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // Node's globals, for the .mjs tools (typescript-eslint turns no-undef off for .ts).
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...boundaries,
);
