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
import { Menu as RaMenu, usePermissions } from 'react-admin';
import { useMe } from '../providers/useMe';

/** Menus per level (authProvider.getPermissions → level). */
export const Menu = () => {
    const { permissions: level } = usePermissions();
    const { me } = useMe();
    if (level === 'auditadmin' || level === 'sysadmin' || level === 'secadmin') {
        // 三员: the audit trail, the accounts or the security policy, and nothing else
        return (
            <RaMenu>
                {level === 'auditadmin' && <RaMenu.Item to="/audit-entries" primaryText="app.security.menu.audit" leftIcon={<PolicyIcon />} />}
                {level === 'sysadmin' && <RaMenu.Item to="/accounts" primaryText="app.security.menu.accounts" leftIcon={<ManageAccountsIcon />} />}
                {level === 'sysadmin' && <RaMenu.Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />}
                {level === 'secadmin' && <RaMenu.Item to="/security-policy" primaryText="app.security.menu.policy" leftIcon={<PolicyIcon />} />}
                {level === 'secadmin' && <RaMenu.Item to="/permission-matrix" primaryText="app.settings.menu.permissions" leftIcon={<AdminPanelSettingsIcon />} />}
            </RaMenu>
        );
    }
    if (level === 'institution' && (me as any)?.teacher) {
        // a teacher's account: their own record, training and corrections only
        return (
            <RaMenu>
                <RaMenu.Item to="/my-staff" primaryText="app.funds.menu.my_staff" leftIcon={<PersonIcon />} />
            </RaMenu>
        );
    }
    if (level === 'institution') {
        return (
            <RaMenu>
                <RaMenu.DashboardItem primaryText="app.menu.dashboard" />
                <RaMenu.Item to="/my-kindergarten" primaryText="app.menu.my_kindergarten" leftIcon={<HomeWorkIcon />} />
                <RaMenu.Item to="/school-classes" primaryText="app.menu.classes" leftIcon={<ClassIcon />} />
                <RaMenu.Item to="/children" primaryText="app.menu.children" leftIcon={<ChildCareIcon />} />
                <RaMenu.Item to="/imports" primaryText="app.imports.menu" leftIcon={<UploadFileIcon />} />
                <RaMenu.Item to="/problem-records" primaryText="app.menu.problem_records" leftIcon={<ReportProblemIcon />} />
                <RaMenu.Item to="/lifecycle" primaryText="app.menu.lifecycle" leftIcon={<UpgradeIcon />} />
                <RaMenu.Item to="/transfers" primaryText="app.menu.transfers" leftIcon={<MoveDownIcon />} />
                <RaMenu.Item to="/key-change" primaryText="app.menu.key_change" leftIcon={<EditNoteIcon />} />
                <RaMenu.Item to="/annual-report" primaryText="app.menu.annual_report" leftIcon={<AssessmentIcon />} />
                <RaMenu.Item to="/declaration" primaryText="app.menu.declaration" leftIcon={<CampaignIcon />} />
                <RaMenu.Item to="/requests" primaryText="app.menu.my_requests" leftIcon={<FactCheckIcon />} />
                <RaMenu.Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />
                <RaMenu.Item to="/staff-members" primaryText="app.funds.menu.staff" leftIcon={<BadgeIcon />} />
                <RaMenu.Item to="/training-records" primaryText="app.funds.menu.training" leftIcon={<SchoolOutlinedIcon />} />
                <RaMenu.Item to="/staffing" primaryText="app.funds.menu.staffing" leftIcon={<RuleIcon />} />
                <RaMenu.Item to="/aid-apply" primaryText="app.funds.menu.aid_apply" leftIcon={<VolunteerActivismIcon />} />
                <RaMenu.Item to="/aid-grants" primaryText="app.funds.menu.aid_grants" leftIcon={<PaymentsIcon />} />
            </RaMenu>
        );
    }
    return (
        <RaMenu>
            <RaMenu.DashboardItem primaryText="app.menu.dashboard" />
            <RaMenu.Item to="/kindergartens" primaryText="app.menu.kindergartens" leftIcon={<SchoolIcon />} />
            <RaMenu.Item to="/children" primaryText="app.menu.children" leftIcon={<ChildCareIcon />} />
            <RaMenu.Item to="/problem-records" primaryText="app.menu.problem_records" leftIcon={<ReportProblemIcon />} />
            <RaMenu.Item to="/transfers" primaryText="app.menu.transfers" leftIcon={<MoveDownIcon />} />
            <RaMenu.Item to="/requests" primaryText={level === 'county' ? 'app.menu.inbox' : 'app.menu.requests'} leftIcon={<FactCheckIcon />} />
            <RaMenu.Item to="/oversight" primaryText="app.menu.oversight" leftIcon={<PendingActionsIcon />} />
            <RaMenu.Item to="/chart-pages" primaryText="app.menu.chart_pages" leftIcon={<InsightsIcon />} />
            <RaMenu.Item to="/populations" primaryText="app.menu.populations" leftIcon={<GroupsIcon />} />
            <RaMenu.Item to="/staff-members" primaryText="app.funds.menu.staff" leftIcon={<BadgeIcon />} />
            <RaMenu.Item to="/staff-analysis" primaryText="app.funds.menu.analysis" leftIcon={<GroupsIcon />} />
            <RaMenu.Item to="/staffing" primaryText="app.funds.menu.staffing" leftIcon={<RuleIcon />} />
            <RaMenu.Item to="/aid-grants" primaryText="app.funds.menu.aid_grants" leftIcon={<VolunteerActivismIcon />} />
            <RaMenu.Item to="/aid-disbursements" primaryText="app.funds.menu.aid_payments" leftIcon={<PaymentsIcon />} />
            <RaMenu.Item to="/aid-totals" primaryText="app.funds.menu.aid_totals" leftIcon={<SummarizeIcon />} />
            <RaMenu.Item to="/projects" primaryText="app.funds.menu.projects" leftIcon={<AccountBalanceIcon />} />
            <RaMenu.Item to="/project-progress-reports" primaryText="app.funds.menu.progress" leftIcon={<EventNoteIcon />} />
            <RaMenu.Item to="/project-rollup" primaryText="app.funds.menu.rollup" leftIcon={<SummarizeIcon />} />
            {(level === 'province' || level === 'prefecture' || level === 'ministry') && <RaMenu.Item to="/custom-fields" primaryText="app.custom_fields.menu" leftIcon={<TuneIcon />} />}
            <RaMenu.Item to="/regions" primaryText="app.menu.regions" leftIcon={<AccountTreeIcon />} />
            <RaMenu.Item to="/delegations" primaryText="app.security.menu.delegations" leftIcon={<PolicyIcon />} />
            {level && (
                <RaMenu.Item to="/accounts" primaryText="app.menu.accounts" leftIcon={<ManageAccountsIcon />} />
            )}
            {/* 代码表维护, 角色权限, 校历与期限: edited by the province and the Ministry (the server decides) */}
            {(level === 'ministry' || level === 'province') && <RaMenu.Item to="/code-tables" primaryText="app.settings.menu.code_tables" leftIcon={<ListAltIcon />} />}
            {(level === 'ministry' || level === 'province') && <RaMenu.Item to="/permission-matrix" primaryText="app.settings.menu.permissions" leftIcon={<AdminPanelSettingsIcon />} />}
            {(level === 'ministry' || level === 'province') && <RaMenu.Item to="/calendar-settings" primaryText="app.settings.menu.calendar" leftIcon={<CalendarMonthIcon />} />}
        </RaMenu>
    );
};
