import type { Me } from './session';

/** react-admin's action names → the permission matrix's (config/permission-matrix.json). */
const MATRIX_ACTION: Record<string, string> = { list: 'list', show: 'read', read: 'read', create: 'create', clone: 'create', edit: 'edit', delete: 'delete', export: 'export', approve: 'approve' };

/**
 * Whether `/api/me` says the user may take `action` on `resource`. What the matrix does not govern
 * (a resource or action outside it) is not hidden: the server still decides each call.
 */
export const allows = (me: Me | null | undefined, resource: string | undefined, action: string): boolean => {
    if (!me?.actions || !me.facts?.matrix || !resource) return true;
    const matrixAction = MATRIX_ACTION[action] ?? action;
    if (!me.facts.matrix[resource]?.includes(matrixAction)) return true;
    return (me.actions[resource] ?? []).includes(matrixAction);
};
