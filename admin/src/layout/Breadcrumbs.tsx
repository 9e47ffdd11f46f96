import { Breadcrumbs as MuiBreadcrumbs, Link, Typography } from '@mui/material';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import { useGetRecordRepresentation, useGetOne, useResourceDefinitions, useTranslate } from 'react-admin';

/** The record's name (its recordRepresentation) for the trail, once loaded. */
const RecordCrumb = ({ resource, id }: { resource: string; id: string }) => {
    const { data } = useGetOne(resource, { id }, { retry: false });
    const represent = useGetRecordRepresentation(resource);
    const text = data ? represent(data) : null;
    return typeof text === 'string' || typeof text === 'number' ? <>{text}</> : <>…</>;
};

/**
 * Where am I: 首页 › 幼儿学籍 › 林小禾 › 编辑, from the URL and the resources the panel registered
 * (so a page the role may not open never shows in the trail). Nothing on the home page.
 */
export const Breadcrumbs = () => {
    const { pathname } = useLocation();
    const translate = useTranslate();
    const definitions = useResourceDefinitions();
    const [name, id, action] = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (!name) return null;
    const resource = definitions[name];
    // a page of its own (#/key-change) is named as in the menu; one the menu does not name gets no trail
    const label = resource
        ? translate(`resources.${name}.name`, { smart_count: 2, _: name })
        : translate(`app.menu.${name.replace(/-/g, '_')}`, { _: '' });
    if (!label) return null;
    const last = id === 'create' ? translate('ra.action.create') : action === 'show' ? null : id ? translate('ra.action.edit') : null;
    const crumbs: { text: React.ReactNode; to?: string }[] = [{ text: translate('app.breadcrumbs.home'), to: '/' }];
    crumbs.push({ text: label, to: id && resource?.hasList ? `/${name}` : undefined });
    // the record by its name where the resource says how to name one (never a bare id)
    if (id && id !== 'create' && resource?.recordRepresentation) crumbs.push({ text: <RecordCrumb resource={name} id={id} />, to: last ? `/${name}/${encodeURIComponent(id)}/show` : undefined });
    if (last) crumbs.push({ text: last });
    return (
        <MuiBreadcrumbs aria-label={translate('app.breadcrumbs.label')} data-testid="breadcrumbs" sx={{ fontSize: 13, mt: 1, mb: 0.5, px: { xs: 1, sm: 0 } }} maxItems={4}>
            {crumbs.map((crumb, index) =>
                crumb.to && index < crumbs.length - 1 ? (
                    <Link key={index} component={RouterLink} to={crumb.to} underline="hover" color="inherit">{crumb.text}</Link>
                ) : (
                    <Typography key={index} color="text.primary" sx={{ fontSize: 13 }}>{crumb.text}</Typography>
                )
            )}
        </MuiBreadcrumbs>
    );
};
