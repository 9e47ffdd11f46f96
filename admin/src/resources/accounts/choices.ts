export const levelChoices = [
    { id: 'ministry', name: 'app.levels.ministry' },
    { id: 'province', name: 'app.levels.province' },
    { id: 'prefecture', name: 'app.levels.prefecture' },
    { id: 'county', name: 'app.levels.county' },
    { id: 'institution', name: 'app.levels.institution' },
];

/** Fields the panel sends on update: username, level and reach are fixed at creation. */
export const pickEditable = ({ fullName, email, blocked }: Record<string, any>) => ({
    fullName,
    email: email === '' ? null : email,
    blocked: !!blocked,
});
