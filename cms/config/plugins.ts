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
  'access-scope': {
    enabled: true,
    resolve: path.join(repositoryRoot, 'plugins', 'access-scope'),
    config: { levels: readDomainConfig('levels.json').levels },
  },
});
