'use strict';

/**
 * Uniqueness that matters is a database index, not Strapi's `unique: true` (which only checks
 * before insert and lets concurrent creates through). Index names follow
 * `<table>__<column>__unique`: the API's error handler reads the field back from the name.
 */
const UNIQUE = [
  ['regions', 'code'],
  ['kindergartens', 'code'],
];

module.exports = {
  async up(knex) {
    for (const [table, column] of UNIQUE) {
      if (!(await knex.schema.hasTable(table))) continue;
      await knex.raw(`CREATE UNIQUE INDEX IF NOT EXISTS ${table}__${column}__unique ON ${table} (${column})`);
    }
  },
};
