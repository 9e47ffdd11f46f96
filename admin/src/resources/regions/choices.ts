export const regionLevelChoices = [
    { id: 'province', name: 'resources.regions.level.province' },
    { id: 'prefecture', name: 'resources.regions.level.prefecture' },
    { id: 'county', name: 'resources.regions.level.county' },
];
