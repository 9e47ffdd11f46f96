import { serverFacts } from '../../providers/useServerFacts';
import { stateChoices } from '../../providers/vocabulary';

/** Choice lists of the kindergarten content type; names are i18n keys (SelectField/SelectInput translate them). */
export const ownershipChoices = () => stateChoices('kindergartens.ownership');

export const statusChoices = () => stateChoices('kindergartens.status');

/** Key fields change only through a key-change request once the kindergarten is registered: the server says which (/api/me). */
export const kindergartenKeyFields = (): string[] => serverFacts().keyFields.kindergarten;

/** 办园条件: buildings and conditions, numbers the kindergarten keeps up to date. */
export const CONDITION_FIELDS = ['landArea', 'buildingArea', 'outdoorArea', 'classrooms', 'activityRooms', 'books', 'toys'] as const;

/** Fields the panel sends on update; code and countyCode stay as created. */
export const EDITABLE_FIELDS = ['name', 'legalPerson', 'address', 'principal', 'phone', 'ownership', 'inclusive', 'status', ...CONDITION_FIELDS, 'customFields'] as const;

export const pickEditable = (data: Record<string, any>) => {
    const locked = data.registrationState === 'approved' ? new Set<string>(kindergartenKeyFields()) : new Set<string>();
    return Object.fromEntries(EDITABLE_FIELDS.filter((key) => key in data && !locked.has(key)).map((key) => [key, data[key]]));
};
