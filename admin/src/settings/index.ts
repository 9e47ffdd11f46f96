export { CodeTablesPage } from './CodeTables';
export { PermissionMatrixPage } from './PermissionMatrix';
export { CalendarSettingsPage } from './CalendarSettings';
