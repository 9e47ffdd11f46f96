/** Fixed choices of the child record (not code tables: these are the system's own states). */
export const sexChoices = [{ id: 'male', name: 'resources.children.sex.male' }, { id: 'female', name: 'resources.children.sex.female' }];
export const statusChoices = ['draft', 'registered', 'left', 'graduated', 'cancelled'].map((id) => ({ id, name: `resources.children.status.${id}` }));
