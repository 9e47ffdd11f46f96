import type { Core } from '@strapi/strapi';

/** The users-permissions user acting in the current HTTP request, if any (not the system, not Strapi's admin). */
export function actingUser(strapi: Core.Strapi): Record<string, any> | null {
  const state = strapi.requestContext.get()?.state;
  return state?.auth?.strategy?.name === 'users-permissions' ? state.user ?? null : null;
}
