/** Excel import of children (批量导入, a page of the kindergarten) and the export buttons of the children's list. */
export { ImportPage } from './ImportPage';
export { ChildExportButtons } from './ExportButtons';
