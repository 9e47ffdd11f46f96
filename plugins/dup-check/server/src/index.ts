import services from './services';

export type { DuplicatesService, Candidate, Holder, Probe } from './services/duplicates';

export default {
  register() {},
  services,
  config: {
    default: { hashKey: '' },
    validator(config: { hashKey?: string }) {
      if (!config.hashKey || config.hashKey.length < 16) throw new Error('dup-check: config.hashKey (PII_HASH_KEY) must be a secret of at least 16 characters');
    },
  },
};
