/**
 * The bridge between react-admin's ra-data-simple-rest protocol and Strapi's REST API, built once,
 * on the server, in front of Strapi's own routes: a request to `/ra/<resource>[/<id>[/<action>]]`
 * is rewritten to `/api/<resource>...` with Strapi's query syntax, then goes through Strapi's
 * router, authentication, permission checks, sanitising and the access-scope middleware exactly
 * as a direct API call would; its answer is rewritten to the simple-rest shape:
 * - list: `sort=["name","ASC"]&range=[0,24]&filter={"q":"…","ownership":"public"}`
 *   → `sort=name:asc&pagination[start]=0&pagination[limit]=25&filters[...]`;
 *   answer: a JSON array, `id` = documentId, and `Content-Range: <resource> 0-24/<total>`;
 * - create/update: the body is wrapped as `{ data }`; the answer is the record itself;
 * - errors: `{ message, errors: { <field>: <message>, root: { serverError } } }`, which
 *   react-admin shows next to the fields.
 * The body wrapping happens in `ra-body`, after Strapi's body parser.
 */
import qs from 'qs';
import { chineseMessage } from '../domain/messages';

type BridgeConfig = { search?: Record<string, string[]> };

const PATH = /^\/ra\/([a-z][a-z0-9-]*)(?:\/([A-Za-z0-9_-]+))?(?:\/([a-z][a-z0-9-]*))?\/?$/;
const OPERATOR_SUFFIX = /^(.+)_(eq|ne|lt|lte|gt|gte|in|notIn|contains|containsi|startsWith|null|notNull)$/;

function parseJson(text: string | null, fallback: unknown) {
  if (!text) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** react-admin filter object → Strapi `filters`. */
export function toStrapiFilters(filter: Record<string, unknown>, searchFields: string[] | undefined) {
  const filters: Record<string, unknown> = {};
  const and: unknown[] = [];
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (value === undefined || value === '') continue;
    if (key === 'q') {
      // a search field `name:eq` matches the whole value only (the 学籍号: no partial match on an identifier)
      if (searchFields?.length) and.push({ $or: searchFields.map((field) => (field.endsWith(':eq') ? { [field.slice(0, -3)]: { $eq: String(value) } } : { [field]: { $containsi: String(value) } })) });
      else filters.q = value;
      continue;
    }
    const field = key === 'id' ? 'documentId' : key;
    const suffix = field.match(OPERATOR_SUFFIX);
    if (suffix) filters[suffix[1]] = { ...(filters[suffix[1]] as object), [`$${suffix[2]}`]: value };
    else if (value && typeof value === 'object' && !Array.isArray(value)) filters[field] = toStrapiFilters(value as Record<string, unknown>, undefined);
    else if (Array.isArray(value)) filters[field] = { $in: value };
    else filters[field] = { $eq: value };
  }
  if (and.length) filters.$and = and;
  return filters;
}

export function toStrapiQuery(search: string, searchFields?: string[]) {
  const params = new URLSearchParams(search);
  const query: Record<string, unknown> = {};
  const sort = parseJson(params.get('sort'), null);
  if (Array.isArray(sort) && sort[0]) query.sort = `${sort[0] === 'id' ? 'documentId' : sort[0]}:${String(sort[1] ?? 'ASC').toLowerCase()}`;
  const range = parseJson(params.get('range'), null);
  if (Array.isArray(range) && range.length === 2) {
    const start = Math.max(0, Number(range[0]) || 0);
    query.pagination = { start, limit: Math.max(1, (Number(range[1]) || 0) - start + 1), withCount: true };
  }
  // custom fields are filtered apart (`customFilters[key]=value`, see cms/src/domain/custom-fields.ts)
  const { customFilters, ...filter } = (parseJson(params.get('filter'), {}) ?? {}) as Record<string, unknown>;
  const filters = toStrapiFilters(filter, searchFields);
  if (Object.keys(filters).length) query.filters = filters;
  if (customFilters && typeof customFilters === 'object') query.customFilters = customFilters;
  for (const key of ['populate', 'fields']) if (params.get(key)) query[key] = params.get(key);
  return qs.stringify(query, { encodeValuesOnly: true });
}

/** A Strapi record → a react-admin record: `id` is the documentId, at the top and in relations. */
function toRecord(item: any, depth = 0): any {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
  // one pass over the keys (a list answers 25+ rows of 40 fields: no spread, no entries array per row)
  const record: Record<string, unknown> = {};
  const keys = Object.keys(item);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i];
    const value = item[key];
    if (depth < 2 && value !== null && typeof value === 'object') {
      if (Array.isArray(value)) record[key] = value.map((v) => toRecord(v, depth + 1));
      else record[key] = 'documentId' in value ? toRecord(value, depth + 1) : value;
    } else {
      record[key] = value;
    }
  }
  if (item.documentId) {
    record.rowId = item.id;
    record.id = item.documentId;
  }
  return record;
}

const STATUS_MESSAGES: Record<number, string> = {
  400: '提交的数据有误，请检查标出的字段',
  401: '请重新登录',
  403: '无权执行此操作',
  404: '记录不存在或不在管辖范围内',
  409: '与已有记录冲突',
  503: '数据库暂时不可用，请稍后重试',
};

/** Strapi's error body → the shape react-admin reads, with Chinese messages for the panel. */
export function toRaError(body: any, status: number, resource?: string) {
  const error = body?.error ?? {};
  const errors: Record<string, unknown> = {};
  for (const detail of error.details?.errors ?? []) {
    const path = Array.isArray(detail.path) ? detail.path.join('.') : String(detail.path ?? '');
    if (path) errors[path] = chineseMessage(path.split('.').pop()!, String(detail.message ?? ''), resource);
  }
  if (Array.isArray(error.details?.path)) errors[error.details.path.join('.')] = chineseMessage(error.details.path.at(-1), error.message ?? '', resource);
  const fieldMessages = Object.values(errors) as string[];
  const own = /[\u4e00-\u9fff]/.test(error.message ?? '') ? error.message : undefined;
  const message = own ?? (fieldMessages.length === 1 ? fieldMessages[0] : STATUS_MESSAGES[status] ?? error.message ?? body?.message ?? '出错了');
  errors.root = { serverError: message };
  return { message, status, name: error.name, errors };
}

export default (config: BridgeConfig = {}) => async (ctx, next) => {
  const match = ctx.path.match(PATH);
  if (!match) return next();
  const [, resource, id, action] = match;
  ctx.state.raBridge = { resource };
  ctx.path = `/api/${resource}${id ? `/${id}` : ''}${action ? `/${action}` : ''}`;
  if (ctx.method === 'GET') ctx.querystring = toStrapiQuery(ctx.querystring, config.search?.[resource]);

  await next();

  const body = ctx.body;
  if (ctx.status >= 400) {
    ctx.body = toRaError(body && typeof body === 'object' && !Buffer.isBuffer(body) ? body : { message: String(body ?? '') }, ctx.status, resource);
    return;
  }
  if (!body || typeof body !== 'object' || !('data' in body)) return;
  if (Array.isArray(body.data)) {
    const pagination = body.meta?.pagination ?? {};
    const start = Number(pagination.start ?? ((pagination.page ?? 1) - 1) * (pagination.pageSize ?? body.data.length)) || 0;
    const total = Number(pagination.total ?? body.data.length);
    ctx.set('Content-Range', `${resource} ${start}-${Math.max(start, start + body.data.length - 1)}/${total}`);
    ctx.body = body.data.map((item) => toRecord(item));
  } else {
    ctx.body = toRecord(body.data) ?? { id };
  }
};
