import { regionLevels } from '../../providers/useServerFacts';

/** A region's level (province, prefecture, county): the region levels of config/levels.json, through /api/me. */
export const regionLevelChoices = () => regionLevels().map((id) => ({ id, name: `resources.regions.level.${id}` }));
