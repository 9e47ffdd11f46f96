const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { buildTemplates } = require('./helpers/template');

/**
 * Compiles the plugins and the Strapi app once before the suites boot it (under `flock` when the
 * machine has it, so two test runs in one checkout never compile into cms/dist at the same time),
 * then seeds the run's template databases once (tests/helpers/template.js): the suites that boot
 * Strapi start on copies of them.
 */
module.exports = async (globalConfig) => {
  const root = path.resolve(__dirname, '..');
  if (process.env.TEST_SKIP_COMPILE !== '1') compile(root); // else compiled already (e.g. by `node scripts/compile.mjs`)
  if (process.env.TEST_TEMPLATE === 'off' || !bootsStrapi(globalConfig)) return;
  const started = Date.now();
  // the demo data (every seeded suite) and the demo data with the quick start's children (SEED_DEMO_CHILDREN)
  const run = await buildTemplates({ demo: {}, children: { SEED_DEMO_CHILDREN: 'true' } });
  process.env.TEST_TEMPLATES = JSON.stringify(run);
  const each = run.templates.map((t) => `${t.name} ${t.seconds} s`).join(', ');
  process.stdout.write(`\nseeded templates${run.baseUrl ? ' (PostgreSQL)' : ' (SQLite)'}: ${each}; ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
};

function compile(root) {
  const compileCommand = ['node', path.join(root, 'scripts', 'compile.mjs')];
  let command = compileCommand;
  try {
    execFileSync('flock', ['--version'], { stdio: 'ignore' });
    command = ['flock', path.join(require('node:os').tmpdir(), 'preschool-compile.lock'), ...compileCommand];
  } catch {
    // no flock: compile directly
  }
  execFileSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' });
}

/** False when every path named on the command line is a unit test (no suite boots Strapi). */
function bootsStrapi(globalConfig) {
  const named = (globalConfig && globalConfig.nonFlagArgs) || [];
  if (!named.length) return true;
  return !named.every((arg) => /tests[\\/]unit([\\/]|$)/.test(arg));
}
