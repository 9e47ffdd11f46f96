import { serverFacts } from '../../providers/useServerFacts';

/** The five levels, top first, as the server configures them (config/levels.json through /api/me). */
export const levelChoices = () => serverFacts().levels.map(({ key }) => ({ id: key, name: `app.levels.${key}` }));

/** Fields the panel sends on update: username, level and reach are fixed at creation. */
export const pickEditable = ({ fullName, email, blocked }: Record<string, any>) => ({
    fullName,
    email: email === '' ? null : email,
    blocked: !!blocked,
});
