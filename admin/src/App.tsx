import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { authProvider } from './providers/auth';
import { dataProvider } from './providers/data';
import { i18nProvider } from './i18n';
import { Dashboard } from './dashboard';
import { Layout, LoginPage } from './layout';
import { MyKindergarten } from './components/MyKindergarten';
import kindergartens, { institutionKindergarten } from './resources/kindergartens';
import regions from './resources/regions';
import accounts from './resources/accounts';
import requests, { AnnualReportCreate, DeclarationCreate, KeyChangeCreate } from './resources/requests';
import schoolClasses from './resources/school-classes';
import children, { ChildCreate, ChildEdit } from './resources/children';
import problemRecords from './resources/problem-records';
import chartPages from './resources/chart-pages';
import populations from './resources/populations';
import transfers from './resources/transfers';
import { KindergartenLifecycle } from './resources/lifecycle';
import { ImportPage } from './resources/imports';
import { Oversight } from './components/Oversight';
import staff, { StaffCreate, StaffEdit, StaffingCheck, StaffAnalysis, MyStaff } from './resources/staff';
import training from './resources/training';
import { aidGrants, aidDisbursements, AidApply, AidTotals } from './resources/aid';
import { projects, progressReports, ProjectRollup } from './resources/projects';
import { theme, darkTheme } from './theme';
import { auditEntries, delegations, PolicyPage } from './security';
import customFields from './resources/custom-fields';
import { CalendarSettingsPage, CodeTablesPage, PermissionMatrixPage } from './settings';
import { HelpPage } from './help/HelpPage';

/** Every level's resources, and the help page (帮助, #/help) for everyone. */
const withHelp = (resources: any[]) => [
    ...resources,
    <CustomRoutes key="help">
        <Route path="/help" element={<HelpPage />} />
    </CustomRoutes>,
];

/**
 * 全国学前教育管理信息系统 — the panel. Resources depend on the user's level (getPermissions):
 * regional levels manage kindergartens, browse regions and manage the accounts of the level below;
 * a kindergarten sees and edits itself.
 */
export const App = () => (
    <Admin
        disableTelemetry
        title="全国学前教育管理信息系统"
        authProvider={authProvider}
        dataProvider={dataProvider}
        i18nProvider={i18nProvider}
        dashboard={Dashboard}
        layout={Layout}
        loginPage={LoginPage}
        theme={theme}
        darkTheme={darkTheme}
        requireAuth
    >
        {(level) => withHelp(
            level === 'duty'
                ? []
                : level === 'auditadmin' || level === 'sysadmin' || level === 'secadmin'
                ? [
                      // 三员: each administrator sees only their own pages (the server enforces it too)
                      level === 'auditadmin' && <Resource key="audit-entries" name="audit-entries" {...auditEntries} />,
                      level === 'sysadmin' && <Resource key="accounts" name="accounts" {...accounts} />,
                      level === 'sysadmin' && <Resource key="delegations" name="delegations" list={delegations.list} />,
                      level === 'secadmin' && (
                          <CustomRoutes key="policy">
                              <Route path="/security-policy" element={<PolicyPage />} />
                              <Route path="/permission-matrix" element={<PermissionMatrixPage />} />
                          </CustomRoutes>
                      ),
                  ].filter(Boolean)
                : level === 'institution'
                ? [
                      <Resource key="kindergartens" name="kindergartens" {...institutionKindergarten} />,
                      <Resource key="delegations" name="delegations" {...delegations} />,
                      <Resource key="requests" name="requests" {...requests} />,
                      <Resource key="school-classes" name="school-classes" {...schoolClasses} />,
                      <Resource key="children" name="children" {...children} create={ChildCreate} edit={ChildEdit} />,
                      <Resource key="problem-records" name="problem-records" {...problemRecords} />,
                      <Resource key="transfers" name="transfers" {...transfers} />,
                      <Resource key="staff-members" name="staff-members" {...staff} create={StaffCreate} edit={StaffEdit} />,
                      <Resource key="training-records" name="training-records" {...training} />,
                      <Resource key="aid-grants" name="aid-grants" {...aidGrants} />,
                      <Resource key="aid-disbursements" name="aid-disbursements" {...aidDisbursements} />,
                      <CustomRoutes key="funds">
                          <Route path="/staffing" element={<StaffingCheck />} />
                          <Route path="/my-staff" element={<MyStaff />} />
                          <Route path="/aid-apply" element={<AidApply />} />
                          <Route path="/aid-totals" element={<AidTotals />} />
                      </CustomRoutes>,
                      <CustomRoutes key="routes">
                          <Route path="/lifecycle" element={<KindergartenLifecycle />} />
                          <Route path="/imports" element={<ImportPage />} />
                          <Route path="/my-kindergarten" element={<MyKindergarten />} />
                          <Route path="/key-change" element={<KeyChangeCreate />} />
                          <Route path="/annual-report" element={<AnnualReportCreate />} />
                          <Route path="/declaration" element={<DeclarationCreate />} />
                      </CustomRoutes>,
                  ]
                : [
                      <Resource
                          key="kindergartens"
                          name="kindergartens"
                          {...kindergartens}
                          create={level === 'county' ? kindergartens.create : undefined}
                      />,
                      <Resource key="requests" name="requests" {...requests} />,
                      <Resource key="children" name="children" {...children} />,
                      <Resource key="problem-records" name="problem-records" {...problemRecords} />,
                      <Resource key="transfers" name="transfers" {...transfers} />,
                      <Resource key="school-classes" name="school-classes" list={schoolClasses.list} />,
                      <Resource key="regions" name="regions" {...regions} />,
                      <Resource key="delegations" name="delegations" {...delegations} />,
                      <Resource key="chart-pages" name="chart-pages" {...chartPages} />,
                      <Resource key="populations" name="populations" {...populations} create={level === 'county' ? populations.create : undefined} edit={level === 'county' ? populations.edit : undefined} />,
                      <Resource key="staff-members" name="staff-members" {...staff} />,
                      <Resource key="training-records" name="training-records" list={training.list} />,
                      <Resource key="aid-grants" name="aid-grants" {...aidGrants} />,
                      <Resource key="aid-disbursements" name="aid-disbursements" {...aidDisbursements} />,
                      <Resource key="projects" name="projects" {...projects} />,
                      <Resource key="project-progress-reports" name="project-progress-reports" {...progressReports} />,
                      <Resource key="custom-fields" name="custom-fields" {...customFields} create={level === 'province' ? customFields.create : undefined} edit={level === 'province' ? customFields.edit : undefined} />,
                      <CustomRoutes key="funds">
                          <Route path="/staffing" element={<StaffingCheck />} />
                          <Route path="/staff-analysis" element={<StaffAnalysis />} />
                          <Route path="/aid-totals" element={<AidTotals />} />
                          <Route path="/project-rollup" element={<ProjectRollup />} />
                      </CustomRoutes>,
                      <CustomRoutes key="oversight">
                          <Route path="/oversight" element={<Oversight />} />
                      </CustomRoutes>,
                      <CustomRoutes key="settings">
                          <Route path="/code-tables" element={<CodeTablesPage />} />
                          <Route path="/calendar-settings" element={<CalendarSettingsPage />} />
                          <Route path="/permission-matrix" element={<PermissionMatrixPage />} />
                      </CustomRoutes>,
                      <Resource key="accounts" name="accounts" {...accounts} />,
                  ]
        )}
    </Admin>
);

export default App;
