const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** Compiles the plugins and the Strapi app once before the suites boot it. */
module.exports = async () => {
  const root = path.resolve(__dirname, '..');
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  execFileSync('node', [path.join(root, 'scripts', 'compile.mjs')], { cwd: root, stdio: 'inherit' });
};
