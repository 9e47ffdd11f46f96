import path from 'node:path';
import { loadSecrets } from '../src/runtime/secrets';
import { uploadConfig } from '../src/security/http';
import { readDomainConfig, repositoryRoot } from '../src/runtime/paths';

export default () => ({
  'users-permissions': {
    config: {
      jwtSecret: loadSecrets().JWT_SECRET,
      jwt: { expiresIn: '12h' },
      register: { allowedFields: [] },
    },
  },
  // Uploads limited by type and size (config/security.json `http`).
  upload: { config: uploadConfig() },
  'dup-check': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'dup-check'),
    config: { hashKey: loadSecrets().PII_HASH_KEY },
  },
  'student-id': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'student-id'),
    config: { rule: readDomainConfig('student-id.json') },
  },
  'archive-snapshot': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'archive-snapshot'),
    config: {
      timeZone: readDomainConfig('calendar.json').timeZone,
      // scheduled on the job queue instead (cms/src/bootstrap/jobs.ts): one tick for all the instances
      schedule: false,
      // the missed month's snapshot is made by the application's bootstrap (cms/src/index.ts), after the
      // regions, roles and demo data are in place: made by the plugin's own bootstrap, it came first and
      // saved an empty month on a fresh start
      catchUp: false,
      catchUpAfterBootstrap: process.env.ARCHIVE_CATCH_UP !== 'false',
      summaryService: 'api::statistics.statistics',
      projectsService: 'api::project.project',
    },
  },
  'access-scope': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'access-scope'),
    config: { levels: readDomainConfig('levels.json').levels },
  },
});
