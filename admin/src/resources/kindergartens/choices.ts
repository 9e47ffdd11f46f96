/** Choice lists of the kindergarten content type; names are i18n keys (SelectField/SelectInput translate them). */
export const ownershipChoices = [
    { id: 'public', name: 'resources.kindergartens.ownership.public' },
    { id: 'private', name: 'resources.kindergartens.ownership.private' },
];

export const statusChoices = [
    { id: 'operating', name: 'resources.kindergartens.status.operating' },
    { id: 'suspended', name: 'resources.kindergartens.status.suspended' },
    { id: 'closed', name: 'resources.kindergartens.status.closed' },
];

/** Fields the panel sends on update; code and countyCode stay as created. */
export const EDITABLE_FIELDS = ['name', 'address', 'principal', 'phone', 'ownership', 'inclusive', 'status'] as const;

export const pickEditable = (data: Record<string, any>) =>
    Object.fromEntries(EDITABLE_FIELDS.filter((key) => key in data).map((key) => [key, data[key]]));
