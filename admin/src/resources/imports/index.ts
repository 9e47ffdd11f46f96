/** Excel import of children (批量导入, a page of the kindergarten) and the export buttons of the lists (children, kindergartens, staff). */
export { ImportPage } from './ImportPage';
export { ExportButtons, ExportListActions } from './ExportButtons';
