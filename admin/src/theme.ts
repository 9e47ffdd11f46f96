import { defaultDarkTheme, defaultLightTheme } from 'react-admin';

const fontFamily = [
    '-apple-system',
    'BlinkMacSystemFont',
    '"Segoe UI"',
    'Roboto',
    '"PingFang SC"',
    '"Hiragino Sans GB"',
    '"Microsoft YaHei"',
    '"Noto Sans CJK SC"',
    '"WenQuanYi Micro Hei"',
    'sans-serif',
].join(',');

/** react-admin's default themes with CJK-friendly fonts and a calmer blue. */
export const theme = {
    ...defaultLightTheme,
    palette: { ...defaultLightTheme.palette, primary: { main: '#1565c0' }, secondary: { main: '#0d47a1' } },
    typography: { ...defaultLightTheme.typography, fontFamily },
};
export const darkTheme = {
    ...defaultDarkTheme,
    typography: { ...defaultDarkTheme.typography, fontFamily },
};
