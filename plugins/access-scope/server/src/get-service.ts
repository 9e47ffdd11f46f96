import type { Core } from '@strapi/strapi';
import type { ScopeService } from './services/scope';

type Services = { scope: ScopeService };

export function getService<Name extends keyof Services>(strapi: Core.Strapi, name: Name): Services[Name] {
  return strapi.plugin('access-scope').service(name) as Services[Name];
}
