// @ts-check
'use strict';

/**
 * Import boundaries of the repository, checked by tests/unit/boundaries.test.ts (so inside `npm test`).
 * Paths in the rules are relative to the folder the cruiser runs in: the repository root, or a fixture
 * folder under tests/fixtures/boundaries/ laid out like the root, which proves each rule can fail.
 * What each boundary protects: docs/testing.md, section "Boundaries and comment rules".
 */
const fs = require('node:fs');
const path = require('node:path');

/** Files a package declares as its entry points (`main`, `module`, every target of `exports`). */
function entryPoints(packageDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const targets = new Set();
  const collect = (value) => {
    if (typeof value === 'string') targets.add(path.posix.normalize(value.replace(/^\.\//, '')));
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.main);
  collect(manifest.module);
  collect(manifest.exports);
  if (targets.size === 0) targets.add('index.js');
  return [...targets].filter((target) => !target.includes('*'));
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Resolved paths of the documented entry points of every installed @strapi/* package. */
function strapiEntryPoints() {
  const scope = path.join(__dirname, 'node_modules', '@strapi');
  if (!fs.existsSync(scope)) return [];
  return fs.readdirSync(scope).flatMap((name) => {
    const dir = path.join(scope, name);
    if (!fs.existsSync(path.join(dir, 'package.json'))) return [];
    return entryPoints(dir).map((target) => `node_modules/@strapi/${escape(name)}/${escape(target)}$`);
  });
}

/** Runtime code: what the Strapi server loads (the app and the server side of every local plugin). */
const RUNTIME = '^(cms/(src|config)|plugins/[^/]+/(server|strapi-server\\.js|strapi-admin\\.js))';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'panel-imports-server',
      comment:
        'The panel (admin/) is a browser bundle: it talks to the server over HTTP only and never imports server code ' +
        '(cms/, plugins/), which would ship server internals and secrets handling to every browser.',
      severity: 'error',
      from: { path: '^admin/' },
      to: { path: '^(cms|plugins)/' },
    },
    {
      name: 'plugin-imports-cms',
      comment:
        'A local plugin stands on Strapi alone: it never imports the application (cms/). The app may use a plugin ' +
        'through its services, not the other way round.',
      severity: 'error',
      from: { path: '^plugins/' },
      to: { path: '^cms/' },
    },
    {
      name: 'runtime-imports-scripts-or-tests',
      comment:
        'Runtime code (cms/src, cms/config, plugins/*/server) never imports scripts/ or tests/: neither ships to ' +
        'production and test helpers may bypass the checks the runtime enforces.',
      severity: 'error',
      from: { path: RUNTIME },
      to: { path: '^(scripts|tests)/' },
    },
    {
      name: 'strapi-dist-internals',
      comment:
        'Strapi is used through the entry points its packages declare (`main`, `exports`), never through files ' +
        'inside their dist/ folders: those change without notice between releases.',
      severity: 'error',
      // One deliberate exception, out of this rule's sight (a path resolved at run time, the package's
      // `exports` not listing it): cms/src/domain/lean-list.ts loads users-permissions' output sanitiser
      // to recognise it among the registered ones; why and how it is guarded is written there.
      from: { pathNot: '(^|/)node_modules/' },
      to: {
        // resolved inside node_modules, or left unresolved when the package's `exports` forbids the subpath
        path: '(^|/)node_modules/@strapi/[^/]+/dist/|^@strapi/[^/]+/dist(/|$)',
        pathNot: strapiEntryPoints(),
      },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '^(cms|admin|plugins/[^/]+)/(dist|build|\\.cache|\\.tmp|\\.strapi)/|^tests/fixtures/' },
    // type-only imports count too: a type import of server code still couples the panel to the server
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['require', 'import', 'node', 'default'],
      mainFields: ['main', 'module', 'types'],
    },
    cache: false,
  },
};
