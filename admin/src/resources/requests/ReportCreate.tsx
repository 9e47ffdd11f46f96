import { Alert } from '@mui/material';
import { Create, DateInput, Loading, NumberInput, SelectInput, SimpleForm, TextInput, maxValue, minValue, required, useTranslate } from 'react-admin';
import { useMe } from '../../providers/useMe';

const declarationKinds = ['suspension', 'relocation', 'merger', 'closure', 'safety-incident', 'other'].map((id) => ({ id, name: `resources.requests.kind.${id}` }));

/** 年度报告 or 异动申报: the kindergarten's own request, reviewed by its county. */
const ReportCreate = ({ type, fields }: { type: 'annual-report' | 'declaration'; fields: string[] }) => {
    const { me } = useMe();
    const translate = useTranslate();
    if (!me?.institutionId) return <Loading />;
    const transform = (values: Record<string, any>) => ({
        type,
        subjectId: me.institutionId,
        reason: values.reason,
        changes: Object.fromEntries(fields.map((field) => [field, values[field]])),
    });
    return (
        <Create resource="requests" transform={transform} redirect="show" title={`resources.requests.type.${type}`}>
            <SimpleForm sx={{ maxWidth: 720 }}>
                <Alert severity="info" sx={{ mb: 2 }}>{translate(`resources.requests.help.${type}`)}</Alert>
                {type === 'annual-report' ? (
                    <>
                        <NumberInput source="year" label="resources.requests.fields.year" defaultValue={new Date().getFullYear() - 1} validate={[required(), minValue(2000), maxValue(new Date().getFullYear())]} />
                        {['conditions', 'staffing', 'quality', 'finance'].map((field) => (
                            <TextInput key={field} source={field} label={`resources.requests.fields.${field}`} validate={required()} multiline minRows={3} fullWidth />
                        ))}
                    </>
                ) : (
                    <>
                        <SelectInput source="kind" label="resources.requests.fields.kind" choices={declarationKinds} validate={required()} fullWidth />
                        <DateInput source="occurredOn" label="resources.requests.fields.occurredOn" validate={required()} />
                        <TextInput source="description" label="resources.requests.fields.description" validate={required()} multiline minRows={3} fullWidth />
                    </>
                )}
                <TextInput source="reason" label="resources.requests.fields.reason" multiline fullWidth />
            </SimpleForm>
        </Create>
    );
};

export const AnnualReportCreate = () => <ReportCreate type="annual-report" fields={['year', 'conditions', 'staffing', 'quality', 'finance']} />;
export const DeclarationCreate = () => <ReportCreate type="declaration" fields={['kind', 'occurredOn', 'description']} />;
