import type ExcelJS from 'exceljs';

/**
 * exceljs, loaded on first use: with its unzipper and archiver it took about 0.5 s of every start
 * (docs/benchmarks.md, "Start"), and most starts serve requests long before anyone builds or reads a
 * workbook. Types come from `import type ExcelJS from 'exceljs'`; values from `excel()`.
 */
let loaded: typeof ExcelJS | undefined;
export const excel = (): typeof ExcelJS => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded ??= require('exceljs') as typeof ExcelJS;
    return loaded;
};
