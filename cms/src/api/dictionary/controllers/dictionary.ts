import { dictionaries } from '../../../domain/dictionaries';

/** The code tables (config/dictionaries.json) for the panel's choices. */
export default () => ({
  async list(ctx) {
    ctx.body = dictionaries();
  },
});
