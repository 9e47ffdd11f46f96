import BlockIcon from '@mui/icons-material/Block';
import { Box, Button, Card, CardContent, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { Link, useLocation } from 'react-router-dom';
import { useMe } from '../providers/useMe';

/** The panel's own pages beside its resources, by path, with the words of the menu (to name the page refused). */
const PAGE_TITLES: Record<string, string> = {
    'permission-matrix': 'app.settings.menu.permissions',
    'code-tables': 'app.settings.menu.code_tables',
    'calendar-settings': 'app.settings.menu.calendar',
    'security-policy': 'app.security.menu.policy',
    'custom-fields': 'app.custom_fields.menu',
    'audit-entries': 'app.security.menu.audit',
};

/**
 * What a URL the role cannot open answers (react-admin's catchAll: the page is not registered for
 * this role, admin/src/App.tsx): 无权访问, whose account it is, the page asked for, and what to do —
 * never a blank page or an empty list beside a refusal.
 */
export const Forbidden = () => {
    const translate = useTranslate();
    const location = useLocation();
    const { me } = useMe();
    const page = location.pathname.split('/').filter(Boolean)[0] ?? '';
    const pageName = PAGE_TITLES[page]
        ? translate(PAGE_TITLES[page])
        : translate(`resources.${page}.name`, { smart_count: 2, _: page || '/' });
    const who = [me?.levelName ?? me?.role ?? '', me?.username ?? ''].filter(Boolean).join(' · ');
    return (
        <Card sx={{ mt: 2 }} data-testid="forbidden">
            <Title title={translate('app.forbidden.title')} />
            <CardContent>
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 2 }}>
                    <BlockIcon color="error" />
                    <Typography variant="h5">{translate('app.forbidden.title')}</Typography>
                </Box>
                <Typography variant="body1" gutterBottom>{translate('app.forbidden.body', { who, page: pageName })}</Typography>
                <Typography variant="body2" color="text.secondary" gutterBottom>{translate('app.forbidden.what_to_do')}</Typography>
                <Button component={Link} to="/" variant="contained" sx={{ mt: 2 }}>
                    {translate('app.forbidden.home')}
                </Button>
            </CardContent>
        </Card>
    );
};
