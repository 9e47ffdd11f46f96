import { Typography } from '@mui/material';
import {
    ArrayInput,
    Create,
    Edit,
    FormDataConsumer,
    Loading,
    SelectInput,
    SimpleForm,
    SimpleFormIterator,
    TextInput,
    required,
    useTranslate,
} from 'react-admin';
import { useApi } from '../../providers/useApi';
import type { Catalog } from '../../dashboard/charts/types';
import { RegionInput } from '../../components/RegionInput';

const FILTER_WIDTH = { minWidth: 160 };

/**
 * The page builder, no code: a title, then charts, each an indicator × a dimension × filters × a
 * chart type, picked from the catalog the server whitelists (config/indicators.json).
 */
const ChartPageFields = () => {
    const translate = useTranslate();
    const { data: catalog, error } = useApi<Catalog>('/api/statistics/catalog');
    if (error) return <Typography color="error">{error.message}</Typography>;
    if (!catalog) return <Loading />;
    const indicatorChoices = [
        ...catalog.indicators.map((i) => ({ id: i.key, name: `${i.label}（${i.scale === 100 ? '%' : i.unit}）` })),
        ...catalog.figures.map((f) => ({ id: f.key, name: `${f.label}（${f.unit}）` })),
    ];
    // a collection task's fields: indicators of their own, grouped by a region or the task's coded fields (the server's catalog)
    const tasks = catalog.tasks ?? [];
    for (const task of tasks) {
        const source = translate('app.collection_tasks.task_source', { title: `${task.title}（v${task.taskVersion}）` });
        indicatorChoices.push(...task.indicators.map((i) => ({ id: i.key, name: `${source}·${i.label}` })));
    }
    const taskOf = (indicator?: string) => (indicator?.startsWith('task:') ? tasks.find((t) => indicator.startsWith(`task:${t.id}:`)) : undefined);
    const dimensionChoices = catalog.dimensions.map((d) => ({ id: d.key, name: d.label }));
    const typeChoices = catalog.chartTypes.map((t) => ({ id: t, name: translate(`resources.chart-pages.types.${t}`) }));
    const filter = (key: string) => catalog.filters.find((f) => f.key === key);
    const optionFilters = catalog.filters.filter((f) => f.options && f.options.length);
    return (
        <>
            <TextInput source="title" validate={required()} fullWidth />
            <TextInput source="description" multiline fullWidth />
            <Typography variant="caption" color="text.secondary">{translate('resources.chart-pages.filters_hint')}</Typography>
            <ArrayInput source="charts" label="resources.chart-pages.charts_label" validate={required()}>
                <SimpleFormIterator inline sx={{ '& .RaSimpleFormIterator-form': { flexWrap: 'wrap', minWidth: 0 }, '& .RaSimpleFormIterator-line': { py: 1 } }} getItemLabel={(index) => translate('resources.chart-pages.chart_n', { n: index + 1 })}>
                    <TextInput fullWidth={false} source="title" label="resources.chart-pages.fields.chart_title" sx={{ minWidth: 280 }} />
                    <SelectInput fullWidth={false} source="indicator" label="resources.chart-pages.fields.indicator" choices={indicatorChoices} validate={required()} sx={{ minWidth: 240 }} />
                    <FormDataConsumer>
                        {({ scopedFormData }) => {
                            const task = taskOf(scopedFormData?.indicator);
                            const choices = task ? task.dimensions.map((d) => ({ id: d.key, name: d.label })) : dimensionChoices;
                            return <SelectInput fullWidth={false} source="dimension" label="resources.chart-pages.fields.dimension" choices={choices} validate={required()} sx={{ minWidth: 200 }} />;
                        }}
                    </FormDataConsumer>
                    <SelectInput fullWidth={false} source="type" label="resources.chart-pages.fields.type" choices={typeChoices} validate={required()} defaultValue="bar" sx={{ minWidth: 140 }} />
                    <RegionInput source="filters.region" label={filter('region')?.label ?? 'region'} helperText="resources.chart-pages.region_hint" prefix />
                    <FormDataConsumer>
                        {({ scopedFormData }) =>
                            taskOf(scopedFormData?.indicator) ? null : optionFilters.map((f) => (
                                <SelectInput fullWidth={false} key={f.key} source={`filters.${f.key}`} label={f.label} choices={f.options!.map((o) => ({ id: o.code, name: o.name }))} emptyText="resources.chart-pages.any" sx={FILTER_WIDTH} />
                            ))
                        }
                    </FormDataConsumer>
                    <FormDataConsumer>
                        {({ scopedFormData }) =>
                            taskOf(scopedFormData?.indicator) ? null : scopedFormData?.dimension === 'month' ? (
                                <>
                                    <TextInput fullWidth={false} source="filters.from" label={filter('from')?.label ?? 'from'} type="month" InputLabelProps={{ shrink: true }} sx={FILTER_WIDTH} />
                                    <TextInput fullWidth={false} source="filters.to" label={filter('to')?.label ?? 'to'} type="month" InputLabelProps={{ shrink: true }} sx={FILTER_WIDTH} />
                                </>
                            ) : (
                                <TextInput fullWidth={false} source="filters.year" label={filter('year')?.label ?? 'year'} sx={FILTER_WIDTH} />
                            )
                        }
                    </FormDataConsumer>
                </SimpleFormIterator>
            </ArrayInput>
        </>
    );
};

/** Empty filter values are dropped: "不限" means no filter. */
const transform = (data: any) => ({
    title: data.title,
    description: data.description ?? null,
    charts: (data.charts ?? []).map((chart: any) => ({
        title: chart?.title ?? '',
        indicator: chart?.indicator,
        dimension: chart?.dimension,
        type: chart?.type ?? 'bar',
        filters: Object.fromEntries(Object.entries(chart?.filters ?? {}).filter(([, value]) => value !== '' && value !== null && value !== undefined)),
    })),
});

export const ChartPageCreate = () => (
    <Create redirect="show" transform={transform}>
        <SimpleForm defaultValues={{ charts: [{ type: 'bar', filters: {} }] }}>
            <ChartPageFields />
        </SimpleForm>
    </Create>
);

export const ChartPageEdit = () => (
    <Edit redirect="show" transform={transform} mutationMode="pessimistic">
        <SimpleForm>
            <ChartPageFields />
        </SimpleForm>
    </Edit>
);
