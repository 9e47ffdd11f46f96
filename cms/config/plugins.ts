import path from 'node:path';
import { loadSecrets } from '../src/runtime/secrets';
import { readDomainConfig, repositoryRoot } from '../src/runtime/paths';

export default () => ({
  'users-permissions': {
    config: {
      jwtSecret: loadSecrets().JWT_SECRET,
      jwt: { expiresIn: '12h' },
      register: { allowedFields: [] },
    },
  },
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
  'access-scope': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'access-scope'),
    config: { levels: readDomainConfig('levels.json').levels },
  },
});
