/**
 * Export of the kindergartens list (xlsx or csv; domain/export-stream.ts): the caller's reach, the
 * list's filters, every attribute headed by its label of config/labels.json, codes by their names,
 * then the kindergartens' custom fields that concern the reach. Recorded as kind 'kindergartens'.
 */
import type { Core } from '@strapi/strapi';
import { DICTIONARY_FIELDS } from '../../../domain/kindergarten-rules';
import { attributeColumns, listExporter } from '../../../domain/export-stream';
import { vocabulary } from '../../../domain/dictionaries';
import { regionNameNow } from '../../../domain/region-names';

const KINDERGARTEN = 'api::kindergarten.kindergarten';
/** 登记状态 has no code table: the states of the registration workflow, named by the one vocabulary. */
const registrationStates = () => Object.fromEntries(vocabulary().states['kindergartens.registrationState'].map((state) => [state.code, state.name]));

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/kindergarten-export?format=xlsx|csv&filters…: the caller's kindergartens. */
  export: listExporter(strapi, {
    uid: KINDERGARTEN, entity: 'kindergarten', resource: 'kindergartens', kind: 'kindergartens', sheet: '幼儿园',
    columns: (app, custom) => [
      ...attributeColumns(app, KINDERGARTEN, 'kindergarten', {
        tables: { ...DICTIONARY_FIELDS, ownership: 'ownership', status: 'institutionStatus' },
        names: { registrationState: registrationStates() },
      }),
      // the county by name beside its code (cms/src/domain/region-names.ts)
      { header: '所属区县', value: (kindergarten: any) => regionNameNow(app, kindergarten.countyCode) },
      ...custom,
    ],
  }),
});
