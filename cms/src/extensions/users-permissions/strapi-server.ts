import { readDomainConfig } from '../../runtime/paths';
import { extendUsersPermissions } from '../../security/users-permissions';

/**
 * Every account has a level (config/levels.json) and either a region code (ministry, province,
 * prefecture, county) or an institution code (a kindergarten's 机构标识码). The access-scope plugin
 * turns these into the account's reach.
 */
export default (plugin: any) => {
  const levels: { key: string }[] = readDomainConfig('levels.json').levels;
  Object.assign(plugin.contentTypes.user.schema.attributes, {
    level: { type: 'enumeration', enum: levels.map((level) => level.key), configurable: false },
    regionCode: { type: 'string', regex: '^\\d{6}$', configurable: false },
    institutionCode: { type: 'string', regex: '^\\d{10}$', configurable: false },
    fullName: { type: 'string', maxLength: 50, configurable: false },
    // a teacher's account: an institution-level account linked to the teacher's own staff record;
    // it reaches nothing but that record (GET /api/me/staff), see plugins/access-scope rules/institution.ts
    staffId: { type: 'string', maxLength: 40, private: true, configurable: false },
  });
  // one teacher account per staff record, decided by the database under concurrency
  const schema = plugin.contentTypes.user.schema;
  schema.indexes = [...(schema.indexes ?? []), { name: 'up_users__staff_id__unique', columns: ['staff_id'], type: 'unique' }];
  return extendUsersPermissions(plugin); // security fields and the one login: cms/src/security
};
