import HealthAndSafetyIcon from '@mui/icons-material/HealthAndSafety';
import VaccinesIcon from '@mui/icons-material/Vaccines';
import MedicalInformationIcon from '@mui/icons-material/MedicalInformation';
import SchoolIcon from '@mui/icons-material/School';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import HomeWorkIcon from '@mui/icons-material/HomeWork';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import EditNoteIcon from '@mui/icons-material/EditNote';
import ClassIcon from '@mui/icons-material/Class';
import ChildCareIcon from '@mui/icons-material/ChildCare';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import PendingActionsIcon from '@mui/icons-material/PendingActions';
import AssessmentIcon from '@mui/icons-material/Assessment';
import CampaignIcon from '@mui/icons-material/Campaign';
import InsightsIcon from '@mui/icons-material/Insights';
import UpgradeIcon from '@mui/icons-material/Upgrade';
import MoveDownIcon from '@mui/icons-material/MoveDown';
import BadgeIcon from '@mui/icons-material/Badge';
import SchoolOutlinedIcon from '@mui/icons-material/SchoolOutlined';
import RuleIcon from '@mui/icons-material/Rule';
import GroupsIcon from '@mui/icons-material/Groups';
import VolunteerActivismIcon from '@mui/icons-material/VolunteerActivism';
import PaymentsIcon from '@mui/icons-material/Payments';
import SummarizeIcon from '@mui/icons-material/Summarize';
import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import EventNoteIcon from '@mui/icons-material/EventNote';
import PersonIcon from '@mui/icons-material/Person';
import PolicyIcon from '@mui/icons-material/Policy';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import TuneIcon from '@mui/icons-material/Tune';
import ListAltIcon from '@mui/icons-material/ListAlt';
import AdminPanelSettingsIcon from '@mui/icons-material/AdminPanelSettings';
import CalendarMonthIcon from '@mui/icons-material/CalendarMonth';
import HowToRegIcon from '@mui/icons-material/HowToReg';
import BuildIcon from '@mui/icons-material/Build';
import ReportIcon from '@mui/icons-material/Report';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import AssignmentIcon from '@mui/icons-material/Assignment';
import PublicIcon from '@mui/icons-material/Public';
import { ComponentProps } from 'react';
import { Menu as RaMenu, useCanAccess, usePermissions } from 'react-admin';
import { useMe } from '../providers/useMe';

/**
 * A menu item shown while the user may take `action` (default: list) on `resource`, as `/api/me`
 * says after the permission matrix (authProvider.canAccess); the resource is the path's by default.
 */
const Item = ({ resource, action = 'list', ...props }: ComponentProps<typeof RaMenu.Item> & { resource?: string; action?: string }) => {
    const target = resource ?? String(props.to).replace(/^\//, '');
    const { canAccess } = useCanAccess({ resource: target, action });
    return canAccess ? <RaMenu.Item {...props} /> : null;
};

/** Menus per level (authProvider.getPermissions → level). */
export const Menu = () => {
    const { permissions: level } = usePermissions();
    const { me } = useMe();
    if (level === 'auditadmin' || level === 'sysadmin' || level === 'secadmin') {
        // 三员: the audit trail, the accounts or the security policy, and nothing else
        return (
            <RaMenu>
                <RaMenu.DashboardItem primaryText="app.admin_dashboard.title" />
                {level === 'auditadmin' && <Item to="/audit-entries" primaryText="app.security.menu.audit" leftIcon={<PolicyIcon />} />}
                {level === 'sysadmin' && <Item to="/accounts" primaryText="app.security.menu.accounts" leftIcon={<ManageAccountsIcon />} />}
                {level === 'sysadmin' && <Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />}
                {level === 'secadmin' && <Item resource="security-policy" to="/security-policy" primaryText="app.security.menu.policy" leftIcon={<PolicyIcon />} />}
                {level === 'secadmin' && <Item resource="permission-matrix" action="read" to="/permission-matrix" primaryText="app.settings.menu.permissions" leftIcon={<AdminPanelSettingsIcon />} />}
            </RaMenu>
        );
    }
    if (level === 'institution' && (me as any)?.teacher) {
        // a teacher's account: their own record, training and corrections only
        return (
            <RaMenu>
                <Item resource="my-staff" to="/my-staff" primaryText="app.funds.menu.my_staff" leftIcon={<PersonIcon />} />
            </RaMenu>
        );
    }
    if (level === 'institution') {
        return (
            <RaMenu>
                <RaMenu.DashboardItem primaryText="app.menu.dashboard" />
                <Item resource="kindergartens" action="read" to="/my-kindergarten" primaryText="app.menu.my_kindergarten" leftIcon={<HomeWorkIcon />} />
                <Item to="/school-classes" primaryText="app.menu.classes" leftIcon={<ClassIcon />} />
                <Item to="/children" primaryText="app.menu.children" leftIcon={<ChildCareIcon />} />
                <Item resource="children" action="create" to="/imports" primaryText="app.imports.menu" leftIcon={<UploadFileIcon />} />
                <Item to="/problem-records" primaryText="app.menu.problem_records" leftIcon={<ReportProblemIcon />} />
                <Item resource="children" action="edit" to="/lifecycle" primaryText="app.menu.lifecycle" leftIcon={<UpgradeIcon />} />
                <Item to="/transfers" primaryText="app.menu.transfers" leftIcon={<MoveDownIcon />} />
                <Item resource="requests" action="create" to="/key-change" primaryText="app.menu.key_change" leftIcon={<EditNoteIcon />} />
                <Item resource="requests" action="create" to="/annual-report" primaryText="app.menu.annual_report" leftIcon={<AssessmentIcon />} />
                <Item resource="requests" action="create" to="/declaration" primaryText="app.menu.declaration" leftIcon={<CampaignIcon />} />
                <Item to="/requests" primaryText="app.menu.my_requests" leftIcon={<FactCheckIcon />} />
                <Item resource="guardian-invitations" to="/guardian-confirmation" primaryText="app.guardians.menu" leftIcon={<HowToRegIcon />} />
                <Item resource="task-submissions" to="/task-inbox" primaryText="app.collection_tasks.inbox_menu" leftIcon={<AssignmentIcon />} />
                <Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />
                <Item to="/staff-members" primaryText="app.funds.menu.staff" leftIcon={<BadgeIcon />} />
                <Item to="/training-records" primaryText="app.funds.menu.training" leftIcon={<SchoolOutlinedIcon />} />
                <Item to="/child-health-checks" primaryText="app.health.menu.checks" leftIcon={<HealthAndSafetyIcon />} />
                <Item to="/vaccination-checks" primaryText="app.health.menu.vaccinations" leftIcon={<VaccinesIcon />} />
                <Item to="/child-health-conditions" primaryText="app.health.menu.conditions" leftIcon={<MedicalInformationIcon />} />
                <Item resource="staff-members" to="/staffing" primaryText="app.funds.menu.staffing" leftIcon={<RuleIcon />} />
                <Item resource="requests" action="create" to="/aid-apply" primaryText="app.funds.menu.aid_apply" leftIcon={<VolunteerActivismIcon />} />
                <Item to="/aid-grants" primaryText="app.funds.menu.aid_grants" leftIcon={<PaymentsIcon />} />
                <Item to="/safety-inspections" primaryText="app.safety.menu.inspections" leftIcon={<HealthAndSafetyIcon />} />
                <Item to="/safety-findings" primaryText="app.safety.menu.findings" leftIcon={<BuildIcon />} />
                <Item to="/incidents" primaryText="app.safety.menu.incidents" leftIcon={<ReportIcon />} />
                <Item to="/resource-inventories" primaryText="app.safety.menu.inventories" leftIcon={<MenuBookIcon />} />
                <Item resource="resource-inventories" to="/resource-shortfalls" primaryText="app.safety.menu.shortfalls" leftIcon={<MenuBookIcon />} />
            </RaMenu>
        );
    }
    return (
        <RaMenu>
            <RaMenu.DashboardItem primaryText="app.menu.dashboard" />
            <Item to="/kindergartens" primaryText="app.menu.kindergartens" leftIcon={<SchoolIcon />} />
            <Item to="/children" primaryText="app.menu.children" leftIcon={<ChildCareIcon />} />
            <Item to="/problem-records" primaryText="app.menu.problem_records" leftIcon={<ReportProblemIcon />} />
            <Item to="/transfers" primaryText="app.menu.transfers" leftIcon={<MoveDownIcon />} />
            <Item to="/requests" primaryText={level === 'county' ? 'app.menu.inbox' : 'app.menu.requests'} leftIcon={<FactCheckIcon />} />
            <Item resource="requests" to="/oversight" primaryText="app.menu.oversight" leftIcon={<PendingActionsIcon />} />
            <Item resource="kindergartens" to="/guardian-confirmation" primaryText="app.guardians.menu" leftIcon={<HowToRegIcon />} />
            <Item to="/collection-tasks" primaryText="app.collection_tasks.menu" leftIcon={<AssignmentIcon />} />
            <Item resource="task-submissions" to="/task-inbox" primaryText="app.collection_tasks.review_menu" leftIcon={<AssignmentIcon />} />
            {Boolean(me?.calls?.exchange?.includes('nationalStatistics')) && <RaMenu.Item to="/national-statistics" primaryText="app.exchange.menu" leftIcon={<PublicIcon />} />}
            <Item to="/chart-pages" primaryText="app.menu.chart_pages" leftIcon={<InsightsIcon />} />
            <Item to="/populations" primaryText="app.menu.populations" leftIcon={<GroupsIcon />} />
            <Item to="/staff-members" primaryText="app.funds.menu.staff" leftIcon={<BadgeIcon />} />
            <Item resource="staff-members" to="/staff-analysis" primaryText="app.funds.menu.analysis" leftIcon={<GroupsIcon />} />
            <Item to="/child-health-checks" primaryText="app.health.menu.checks" leftIcon={<HealthAndSafetyIcon />} />
            <Item to="/vaccination-checks" primaryText="app.health.menu.vaccinations" leftIcon={<VaccinesIcon />} />
            <Item to="/child-health-conditions" primaryText="app.health.menu.conditions" leftIcon={<MedicalInformationIcon />} />
            <Item resource="staff-members" to="/staffing" primaryText="app.funds.menu.staffing" leftIcon={<RuleIcon />} />
            <Item to="/aid-grants" primaryText="app.funds.menu.aid_grants" leftIcon={<VolunteerActivismIcon />} />
            <Item to="/aid-disbursements" primaryText="app.funds.menu.aid_payments" leftIcon={<PaymentsIcon />} />
            <Item resource="aid-disbursements" to="/aid-totals" primaryText="app.funds.menu.aid_totals" leftIcon={<SummarizeIcon />} />
            <Item to="/projects" primaryText="app.funds.menu.projects" leftIcon={<AccountBalanceIcon />} />
            <Item to="/project-progress-reports" primaryText="app.funds.menu.progress" leftIcon={<EventNoteIcon />} />
            <Item resource="projects" to="/project-rollup" primaryText="app.funds.menu.rollup" leftIcon={<SummarizeIcon />} />
            <Item to="/safety-inspections" primaryText="app.safety.menu.inspections" leftIcon={<HealthAndSafetyIcon />} />
            <Item to="/safety-findings" primaryText="app.safety.menu.findings" leftIcon={<BuildIcon />} />
            <Item to="/incidents" primaryText="app.safety.menu.incidents" leftIcon={<ReportIcon />} />
            <Item to="/resource-inventories" primaryText="app.safety.menu.inventories" leftIcon={<MenuBookIcon />} />
            <Item resource="resource-inventories" to="/resource-shortfalls" primaryText="app.safety.menu.shortfalls" leftIcon={<MenuBookIcon />} />
            {Boolean(me?.calls?.['custom-fields']?.includes('find')) && <Item to="/custom-fields" primaryText="app.custom_fields.menu" leftIcon={<TuneIcon />} />}
            <Item to="/regions" primaryText="app.menu.regions" leftIcon={<AccountTreeIcon />} />
            <Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />
            {level && (
                <Item to="/accounts" primaryText="app.menu.accounts" leftIcon={<ManageAccountsIcon />} />
            )}
            {/* 代码表维护, 角色权限, 校历与期限: for whom the permission matrix lets edit them (the server decides each change) */}
            <Item resource="code-tables" action="edit" to="/code-tables" primaryText="app.settings.menu.code_tables" leftIcon={<ListAltIcon />} />
            <Item resource="permission-matrix" action="read" to="/permission-matrix" primaryText="app.settings.menu.permissions" leftIcon={<AdminPanelSettingsIcon />} />
            <Item resource="calendar" action="edit" to="/calendar-settings" primaryText="app.settings.menu.calendar" leftIcon={<CalendarMonthIcon />} />
        </RaMenu>
    );
};
