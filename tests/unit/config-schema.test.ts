/** The domain configuration's validators (cms/src/runtime/config-schema.ts): a mistake names the file and the JSON path. */
import fs from 'node:fs';
import path from 'node:path';
import { DOMAIN_FILES, assertDomainConfig, configProblems, formatProblem, type Known } from '../../cms/src/runtime/config-schema';
import { readDomainConfig } from '../../cms/src/runtime/paths';

/** The repository's files, each a fresh copy, with `change` applied to one of them. */
function reader(file?: string, change?: (config: any) => void) {
  return (name: string) => {
    const config = JSON.parse(JSON.stringify(readDomainConfig(name)));
    if (name === `${file}.json`) change?.(config);
    return config;
  };
}

/** Every action the repository's roles.json names: what the running app declares, for these tests. */
function known(): Known {
  const roles = readDomainConfig('roles.json');
  const actions = new Set<string>([...roles.common, ...roles.public, ...roles.authenticated, ...Object.values<string[]>(roles.roles).flat()]);
  for (const role of Object.values<any>(roles.adminRoles)) if (typeof role === 'object') role.actions.forEach((a: string) => actions.add(a));
  return { actions };
}

const messages = (file: string, change: (config: any) => void) => configProblems(reader(file, change), known()).map(formatProblem);

test('the repository’s own configuration passes', () => {
  expect(configProblems(reader(), known())).toEqual([]);
  expect(() => assertDomainConfig(reader(), known())).not.toThrow();
});

test('a mistyped reviewer level names file, workflow and field', () => {
  const found = messages('workflows', (w) => { w.arbitration.reviewer = 'countyy'; });
  expect(found).toEqual([expect.stringMatching(/^config\/workflows\.json: workflows\.arbitration\.reviewer: 'countyy' is not a level/)]);
  expect(() => assertDomainConfig(reader('workflows', (w) => { w.arbitration.reviewer = 'countyy'; }), known()))
    .toThrow(/config\/workflows\.json: workflows\.arbitration\.reviewer: 'countyy' is not a level/);
});

test('a submitter that is not a level, a required field outside the fields, a bad apply', () => {
  const found = messages('workflows', (w) => {
    w.declaration.submitters = ['institution', 'kindergarten'];
    w.declaration.required = ['kind', 'colour'];
    w['annual-report'].apply = 'insert';
    w['child-key-change'].effectPermission = 'api::child.child.updat';
  });
  expect(found).toEqual(expect.arrayContaining([
    expect.stringContaining("config/workflows.json: workflows.declaration.submitters[1]: 'kindergarten' is not a level"),
    expect.stringContaining("config/workflows.json: workflows.declaration.required[1]: 'colour' is not a field of workflows.declaration.fields"),
    expect.stringContaining("config/workflows.json: workflows.annual-report.apply: 'insert' is not a way to apply"),
    "config/workflows.json: workflows.child-key-change.effectPermission: 'api::child.child.updat' is an unknown action (no route declares it)",
  ]));
});

test('an unknown action in roles.json and in a matrix cell; a role of an unknown level', () => {
  const roles = messages('roles', (r) => {
    r.roles.institution.push('api::child.child.craete');
    r.roles.kindergarten = ['api::child.child.find'];
    r.common.push('child.find');
  });
  expect(roles).toEqual(expect.arrayContaining([
    expect.stringMatching(/^config\/roles\.json: roles\.roles\.institution\[\d+\]: 'api::child\.child\.craete' is an unknown action/),
    expect.stringContaining("config/roles.json: roles.roles.kindergarten: 'kindergarten' is not a level"),
    expect.stringMatching(/^config\/roles\.json: roles\.common\[\d+\]: 'child\.find' is not a users-permissions action/),
  ]));
  const matrix = messages('permission-matrix', (m) => {
    m.resources.children.cells.create = ['api::child.child.creat'];
    m.resources.children.cells.destroy = ['api::child.child.delete'];
    m.securityAdminRoles = ['secadmn'];
  });
  expect(matrix).toEqual(expect.arrayContaining([
    "config/permission-matrix.json: permission-matrix.resources.children.cells.create[0]: 'api::child.child.creat' is an unknown action (no route declares it)",
    expect.stringContaining("config/permission-matrix.json: permission-matrix.resources.children.cells.destroy: 'destroy' is not an action of permission-matrix.actions"),
    expect.stringContaining("config/permission-matrix.json: permission-matrix.securityAdminRoles[0]: 'secadmn' is not an administrator role"),
  ]));
});

test('wrong types: a string for a number, a number for a list, a bad date, a bad regular expression', () => {
  expect(messages('imports', (i) => { i.maxRows = '20000'; })).toEqual(["config/imports.json: imports.maxRows: must be a whole number, not '20000'"]);
  // the server's heap cap (config/cluster.json server): a size V8 can run the app in
  expect(messages('cluster', (c) => { c.server.maxHeapMegabytes = 64; })).toEqual(['config/cluster.json: cluster.server.maxHeapMegabytes: must be between 128 and 65536, not 64']);
  expect(messages('cluster', (c) => { c.server.semiSpaceMegabytes = 0; })).toEqual(['config/cluster.json: cluster.server.semiSpaceMegabytes: must be between 1 and 256, not 0']);
  // the admission gate (cms/src/middlewares/admission.ts): a line of some length, a wait in whole seconds
  expect(messages('cluster', (c) => { c.server.admission.queue = -1; c.server.admission.queueSeconds = 0; })).toEqual([
    'config/cluster.json: cluster.server.admission.queue: must be between 0 and 1000000, not -1',
    'config/cluster.json: cluster.server.admission.queueSeconds: must be between 1 and 600, not 0',
  ]);
  // an export's heartbeat must be missed three times before its run is taken over: a live run is never taken
  expect(messages('imports', (i) => { i.exportJobs.staleSeconds = 10; })).toEqual(['config/imports.json: imports.exportJobs.staleSeconds: 10 must be at least 3 × heartbeatSeconds (5): a live run would be taken over']);
  expect(messages('security', (s) => { s.lockout.maxFailures = 0; s.audit.routes[0].pattern = '(unclosed'; s.totp.requiredLevels = 'ministry'; })).toEqual(expect.arrayContaining([
    'config/security.json: security.lockout.maxFailures: must be between 1 and 9007199254740991, not 0',
    "config/security.json: security.audit.routes[0].pattern: '(unclosed' is not a regular expression",
    "config/security.json: security.totp.requiredLevels: must be a list, not 'ministry'",
  ]));
  expect(messages('calendar', (c) => { c.windows.graduation.from = '6-30'; c.overrides.holidays = ['2026-13-01']; c.timeZone = 'Asia/Beijing'; })).toEqual(expect.arrayContaining([
    "config/calendar.json: calendar.windows.graduation.from: '6-30' is not a day of the year (MM-DD)",
    "config/calendar.json: calendar.overrides.holidays[0]: '2026-13-01' is not a date (YYYY-MM-DD)",
    "config/calendar.json: calendar.timeZone: 'Asia/Beijing' is not a time zone",
  ]));
  expect(messages('levels', (l) => { l.levels[3].regionDigits = 5; l.levels.push({ key: 'county', name: '县', nameEn: 'County', regionDigits: 6 }); })).toEqual(expect.arrayContaining([
    'config/levels.json: levels.levels[3].regionDigits: 5 is not 0, 2, 4 or 6 (GB/T 2260 digits)',
    "config/levels.json: levels.levels[5].key: 'county' is declared twice",
  ]));
  expect(messages('lists', (l) => { l.estimated = ['api::child.children']; })).toEqual([]); // no app: the uid's form only
  const withApp = configProblems(reader('lists', (l) => { l.estimated = ['api::child.children']; }), { contentTypes: new Set(['api::child.child']) });
  expect(withApp.filter((p) => p.file === 'config/lists.json').map(formatProblem)).toEqual(["config/lists.json: lists.estimated[0]: 'api::child.children' is an unknown content type"]);
  expect(messages('lists', (l) => { l.leanRead = 'api::child.child'; })).toEqual(expect.arrayContaining([
    expect.stringMatching(/^config\/lists\.json: lists\.leanRead: must be a list/),
  ]));
});

test('the 学籍号 rule and the class sizes', () => {
  expect(messages('student-id', (r) => { r.temporary = 'J'; r.formalSequenceDigits = 9; })).toEqual(expect.arrayContaining([
    'config/student-id.json: student-id: the prefixes G, J, J must differ: a number\'s kind is read from its letter',
    'config/student-id.json: student-id.formalSequenceDigits: must be between 1 and 6, not 9',
  ]));
  expect(messages('classes', (c) => { c.sizeLimits.small = { min: 30, max: 25 }; c.sizeLimits.huge = { max: 50 }; })).toEqual(expect.arrayContaining([
    'config/classes.json: classes.sizeLimits.small: min 30 is above max 25',
    expect.stringContaining("config/classes.json: classes.sizeLimits.huge: 'huge' is not a class grade"),
  ]));
});

test('a file that is not JSON is named', () => {
  const broken = (name: string) => {
    if (name === 'imports.json') throw new SyntaxError('Unexpected token } in JSON at position 12');
    return reader()(name);
  };
  expect(configProblems(broken, known()).map(formatProblem)).toEqual(['config/imports.json: cannot be read: Unexpected token } in JSON at position 12']);
});

test('a named format of custom fields with a bad pattern, an unknown check or an example it refuses names file and path', () => {
  const found = messages('field-formats', (f) => {
    f.formats.mobile.pattern = '^1[3-9';
    f.formats.postcode.example = '36200';
    f.formats.creditCode.check = 'luhn';
    f.formats.integer.type = 'date';
  });
  expect(found).toEqual(expect.arrayContaining([
    expect.stringMatching(/^config\/field-formats\.json: field-formats\.formats\.mobile\.pattern: '\^1\[3-9' is not a valid regular expression/),
    "config/field-formats.json: field-formats.formats.postcode.example: '36200' does not match the pattern",
    expect.stringContaining("config/field-formats.json: field-formats.formats.creditCode.check: 'luhn' is not a check the server knows"),
    expect.stringContaining("config/field-formats.json: field-formats.formats.integer.type: 'date' is not a field type that takes a format"),
  ]));
});

test('every file of config/ has its validator', () => {
  const files = fs.readdirSync(path.resolve(__dirname, '..', '..', 'config')).filter((name) => name.endsWith('.json')).map((name) => name.replace(/\.json$/, ''));
  expect([...DOMAIN_FILES].sort()).toEqual(files.sort());
});

test('code tables: a duplicate code, a class grade promoted to no grade; a maintained table that does not exist', () => {
  expect(messages('dictionaries', (d) => { d.sex.push({ code: 'male', name: '男' }); d.classGrade[0].next = 'huge'; d.ownership[1].name = ''; })).toEqual(expect.arrayContaining([
    "config/dictionaries.json: dictionaries.sex[2].code: 'male' appears twice in the table",
    expect.stringContaining("config/dictionaries.json: dictionaries.classGrade[0].next: 'huge' is not a class grade"),
    "config/dictionaries.json: dictionaries.ownership[1].name: must be a non-empty string, not ''",
  ]));
  expect(messages('code-tables', (t) => { t.tables.colour = { name: '颜色' }; t.codePattern = '[a-'; })).toEqual(expect.arrayContaining([
    expect.stringContaining("config/code-tables.json: code-tables.tables.colour: 'colour' is not a code table of config/dictionaries.json"),
    "config/code-tables.json: code-tables.codePattern: '[a-' is not a regular expression",
  ]));
});

test('labels, indicators and staffing: a label that is not text, an indicator over an unknown figure, a post outside the code table', () => {
  expect(messages('labels', (l) => { l.child.name = 3; })).toEqual(['config/labels.json: labels.child.name: must be a non-empty string, not 3']);
  expect(messages('indicators', (i) => {
    i.indicators.publicShare.numerator = 'childrenInPublik';
    i.indicators.publicShare.target.op = '=>';
    i.keyIndicators.push('happiness');
    i.dimensions.sex.dictionary = 'gender';
    i.dashboardComputeShare = 5;
  })).toEqual(expect.arrayContaining([
    'config/indicators.json: indicators.dashboardComputeShare: must be a number above 0 and at most 1',
    expect.stringContaining("config/indicators.json: indicators.indicators.publicShare.numerator: 'childrenInPublik' is not a figure of indicators.figures"),
    expect.stringContaining("config/indicators.json: indicators.indicators.publicShare.target.op: '=>' is not a comparison"),
    expect.stringMatching(/^config\/indicators\.json: indicators\.keyIndicators\[5\]: 'happiness' is not an indicator/),
    expect.stringContaining("config/indicators.json: indicators.dimensions.sex.dictionary: 'gender' is not a code table"),
  ]));
  expect(messages('staffing', (s) => { s.teacherPosts = ['99']; s.staffToChildren.min = 9; s.aid.maxAmount = '5000'; })).toEqual(expect.arrayContaining([
    expect.stringContaining("config/staffing.json: staffing.teacherPosts[0]: '99' is not a post of config/dictionaries.json staffPost"),
    'config/staffing.json: staffing.staffToChildren: min 9 is above max 7',
    "config/staffing.json: staffing.aid.maxAmount: must be a whole number, not '5000'",
  ]));
});

test('the security policy names settings of security.json; the demo data names levels and its own kindergartens', () => {
  expect(messages('security-policy', (p) => { p.fields[0].key = 'password.minLenght'; p.fields[1].kind = 'number'; p.fields[12].level3Includes = ['sysadmn']; })).toEqual(expect.arrayContaining([
    "config/security-policy.json: security-policy.fields[0].key: 'password.minLenght' is not a setting of config/security.json",
    expect.stringContaining("config/security-policy.json: security-policy.fields[1].kind: 'number' is not a kind of setting"),
    expect.stringContaining("config/security-policy.json: security-policy.fields[12].level3Includes[0]: 'sysadmn' is not an administrator role"),
  ]));
  expect(messages('demo', (d) => { d.accounts[3].level = 'countyy'; d.classes[0].kindergarten = '3135059999'; })).toEqual(expect.arrayContaining([
    expect.stringContaining("config/demo.json: demo.accounts[3].level: 'countyy' is not a level"),
    expect.stringContaining("config/demo.json: demo.classes[0].kindergarten: '3135059999' is not a kindergarten of demo.kindergartens"),
  ]));
});

test('English names of the statistics: every figure, indicator, dimension and filter has one; an unknown name or a non-text label is named', () => {
  const config = readDomainConfig('indicators.json');
  const named = ['figures', 'indicators', 'dimensions', 'filters'].flatMap((group) => Object.keys(config[group]));
  expect(Object.keys(config.labelsEn).sort()).toEqual([...new Set(named)].sort());
  for (const key of named) expect(config.labelsEn[key]).toMatch(/^[\x20-\x7e–（）普惠]+$/); // English (普惠 kept as the domain term)
  const found = messages('indicators', (c) => { c.labelsEn.grossEnrolmentRat = 'x'; c.labelsEn.children = 3; });
  expect(found).toEqual(expect.arrayContaining([
    expect.stringContaining("config/indicators.json: indicators.labelsEn"),
    expect.stringMatching(/indicators\.labelsEn\.children/),
  ]));
});
