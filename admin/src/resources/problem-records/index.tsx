import { stateChoices } from '../../providers/vocabulary';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import { ProblemActions } from './ProblemActions';
import { Datagrid, DateField, List, SelectField, SelectInput, Show, SimpleShowLayout, TextField } from 'react-admin';

const kindChoices = ['wrong-id', 'duplicate-with-id', 'duplicate-without-id'].map((id) => ({ id, name: `resources.problem-records.kind.${id}` }));
const problemStates = () => stateChoices('problem-records.state');
const resolutionChoices = ['deleted', 'corrected', 'evidence-accepted', 'arbitrated'].map((id) => ({ id, name: `resources.problem-records.resolution.${id}` }));

/** 问题学籍: the kindergarten's and the county's inbox (scoped by the server). */
const ProblemList = () => (
    <List
        filters={[<SelectInput key="state" source="state" choices={problemStates()} alwaysOn />, <SelectInput key="kind" source="kind" choices={kindChoices} />]}
        filterDefaultValues={{ state: 'open' }}
        sort={{ field: 'createdAt', order: 'DESC' }}
    >
        <Datagrid rowClick="show" bulkActionButtons={false}>
            <TextField source="name" />
            <SelectField source="kind" choices={kindChoices} />
            <SelectField source="state" choices={problemStates()} />
            <TextField source="description" />
            <DateField source="createdAt" showTime locales="zh-CN" />
        </Datagrid>
    </List>
);

const ProblemShow = () => (
    <Show actions={<ProblemActions />}>
        <SimpleShowLayout>
            <TextField source="name" />
            <SelectField source="kind" choices={kindChoices} />
            <SelectField source="state" choices={problemStates()} />
            <TextField source="description" emptyText="—" />
            <TextField source="explanation" emptyText="—" />
            <TextField source="claim" emptyText="—" />
            <SelectField source="resolution" choices={resolutionChoices} emptyText="—" />
            <DateField source="resolvedAt" showTime locales="zh-CN" emptyText="—" />
        </SimpleShowLayout>
    </Show>
);

export default { list: ProblemList, show: ProblemShow, icon: ReportProblemIcon, recordRepresentation: 'name' };
