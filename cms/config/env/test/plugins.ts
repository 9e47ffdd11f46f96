import base from '../../plugins';

/** Tests log in many times a minute: no rate limit on auth routes there. */
export default (args) => {
  const config = base();
  return {
    ...config,
    'users-permissions': { config: { ...config['users-permissions'].config, ratelimit: { enabled: false } } },
  };
};
