import * as identity from '../identity';

/** The ID module (../identity) as a Strapi service, for the app and the other plugins. */
export default () => ({ ...identity });
