const { execFileSync } = require('node:child_process');
const path = require('node:path');

/**
 * Compiles the plugins and the Strapi app once before the suites boot it. Under `flock` when the
 * machine has it, so two test runs in one checkout never compile into cms/dist at the same time.
 */
module.exports = async () => {
  if (process.env.TEST_SKIP_COMPILE === '1') return; // compiled already (e.g. by `node scripts/compile.mjs`)
  const root = path.resolve(__dirname, '..');
  const compile = ['node', path.join(root, 'scripts', 'compile.mjs')];
  let command = compile;
  try {
    execFileSync('flock', ['--version'], { stdio: 'ignore' });
    command = ['flock', path.join(require('node:os').tmpdir(), 'preschool-compile.lock'), ...compile];
  } catch {
    // no flock: compile directly
  }
  execFileSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' });
};
