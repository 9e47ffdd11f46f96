import { Breadcrumbs, Card, CardContent, Chip, Link, Typography } from '@mui/material';
import NavigateNextIcon from '@mui/icons-material/NavigateNext';
import SchoolIcon from '@mui/icons-material/School';
import {
    Button,
    Datagrid,
    FunctionField,
    List,
    Loading,
    RaRecord,
    SearchInput,
    SelectField,
    TextField,
    useRecordContext,
    useStore,
    useTranslate,
} from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { useMe } from '../../providers/useMe';
import { Me } from '../../providers/session';
import { regionLevelChoices } from './choices';

interface Crumb {
    code: string;
    name: string;
}

/** Where the tree starts for this user: ministry at the provinces, counties at themselves, others at their children. */
const rootFilter = (me: Me): Record<string, unknown> => {
    if (me.level === 'ministry' || !me.regionCode) return { level: 'province' };
    if (me.level === 'county') return { code: me.regionCode };
    return { parentCode: me.regionCode };
};

const KindergartensOfCounty = () => {
    const record = useRecordContext();
    if (!record || record.level !== 'county') return null;
    const filter = encodeURIComponent(JSON.stringify({ countyCode: record.code }));
    return (
        <Button
            component={RouterLink}
            to={`/kindergartens?filter=${filter}`}
            label="resources.regions.actions.kindergartens"
            onClick={(event) => event.stopPropagation()}
        >
            <SchoolIcon />
        </Button>
    );
};

const filters = [<SearchInput key="q" source="q" alwaysOn />];

/**
 * 行政区划 as a tree browser: a list filtered by `parentCode`; clicking a province or prefecture
 * drills into its children, breadcrumbs lead back up.
 */
export const RegionList = () => {
    const { me, isPending } = useMe();
    const translate = useTranslate();
    const rootKey = me ? `${me.level}:${me.regionCode ?? ''}` : 'none';
    const [trail, setTrail] = useStore<Crumb[]>(`regions.trail.${rootKey}`, []);

    if (isPending || !me) return <Loading />;

    const current = trail[trail.length - 1];
    const filter = current ? { parentCode: current.code } : rootFilter(me);
    const rootLabel =
        me.level === 'ministry' || !me.regionName ? translate('resources.regions.breadcrumbs.root') : me.regionName;

    const drillInto = (record: RaRecord) => {
        if (record.level === 'county') return false as const;
        setTrail([...trail, { code: record.code, name: record.name }]);
        return false as const;
    };

    return (
        <>
            <Card sx={{ mt: 2 }}>
                <CardContent sx={{ py: 1.5, '&:last-child': { pb: 1.5 } }}>
                    <Breadcrumbs
                        aria-label={translate('resources.regions.breadcrumbs.label')}
                        separator={<NavigateNextIcon fontSize="small" />}
                    >
                        {trail.length === 0 ? (
                            <Typography color="text.primary" fontWeight={500}>
                                {rootLabel}
                            </Typography>
                        ) : (
                            <Link component="button" underline="hover" onClick={() => setTrail([])}>
                                {rootLabel}
                            </Link>
                        )}
                        {trail.map((crumb, index) =>
                            index === trail.length - 1 ? (
                                <Typography key={crumb.code} color="text.primary" fontWeight={500}>
                                    {crumb.name}
                                </Typography>
                            ) : (
                                <Link
                                    key={crumb.code}
                                    component="button"
                                    underline="hover"
                                    onClick={() => setTrail(trail.slice(0, index + 1))}
                                >
                                    {crumb.name}
                                </Link>
                            )
                        )}
                    </Breadcrumbs>
                </CardContent>
            </Card>
            <List
                key={JSON.stringify(filter)}
                resource="regions"
                filter={filter}
                filters={filters}
                disableSyncWithLocation
                storeKey={false}
                sort={{ field: 'code', order: 'ASC' }}
                perPage={50}
                exporter={false}
                empty={false}
            >
                <Datagrid rowClick={(_id, _resource, record) => drillInto(record)} bulkActionButtons={false}>
                    <TextField source="code" />
                    <FunctionField
                        source="name"
                        render={(record: RaRecord) => (
                            <span>
                                {record.name}
                                {record.level !== 'county' && (
                                    <Chip
                                        size="small"
                                        variant="outlined"
                                        label={translate('resources.regions.actions.children')}
                                        sx={{ ml: 1 }}
                                    />
                                )}
                            </span>
                        )}
                    />
                    <SelectField source="level" choices={regionLevelChoices()} />
                    <KindergartensOfCounty />
                </Datagrid>
            </List>
        </>
    );
};
