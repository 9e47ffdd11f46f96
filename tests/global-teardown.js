const { removeTemplates, templatesOfRun } = require('./helpers/template');

/** Removes the run's seeded templates and any copy a suite left behind (tests/helpers/template.js). */
module.exports = async () => {
  await removeTemplates(templatesOfRun());
};
