import { loadSecrets } from '../src/runtime/secrets';

export default ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  app: { keys: loadSecrets().APP_KEYS.split(',') },
});
