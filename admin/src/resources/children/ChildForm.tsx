import { ArrayInput, BooleanInput, DateInput, FormDataConsumer, ReferenceInput, SelectInput, SimpleForm, SimpleFormIterator, TextInput, required } from 'react-admin';
import type { ReactElement } from 'react';
import { Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { useDictionaries } from './useDictionaries';
import { DuplicateCheck } from './DuplicateCheck';
import { sexChoices } from './choices';
import { CustomFieldInputs } from '../../components/CustomFieldInputs';
import { RegionInput } from '../../components/RegionInput';

/** Values a new record starts with: the most common codes (中国, 汉族, 非港澳台侨, 健康, 走读). */
export const childDefaults = { idType: '1', nationality: '156', ethnicity: '01', overseasChinese: '00', health: '10', enrollmentMode: '1', leftBehind: '0', onlyChild: false };

const Section = ({ title }: { title: string }) => {
    const translate = useTranslate();
    return <Typography variant="subtitle1" sx={{ mt: 2, mb: 1, fontWeight: 600, width: '100%' }}>{translate(title)}</Typography>;
};

/**
 * The child's record as a form, shared by 新增 and 编辑. Coded fields are pickers over the code
 * tables; the ID number fills sex and birth date and shows duplicates as the user types.
 * `keyLocked`: once the 学籍 is registered, name, sex, birth date and the document change only
 * through a 关键信息变更 (the guardian's application, approved by the kindergarten).
 * `classSource`: a stored record carries its class as an object (`schoolClass.id`), a new one as an id.
 */
export const ChildForm = ({ keyLocked = false, classSource = 'schoolClass', toolbar }: { keyLocked?: boolean; classSource?: string; toolbar?: ReactElement }) => {
    const dictionary = useDictionaries();
    const picker = (source: string, table: string, isRequired = true) => (
        <SelectInput source={source} choices={dictionary(table)} validate={isRequired ? required() : undefined} />
    );
    const keyHelp = keyLocked ? 'resources.children.key_locked_help' : undefined;
    return (
        <SimpleForm defaultValues={childDefaults} toolbar={toolbar}>
            <Section title="resources.children.sections.identity" />
            <TextInput source="name" validate={required()} disabled={keyLocked} helperText={keyHelp} />
            <TextInput source="formerName" />
            <SelectInput source="idType" choices={dictionary('idType')} validate={required()} disabled={keyLocked} />
            <TextInput source="idNumber" disabled={keyLocked} />
            {!keyLocked && <DuplicateCheck />}
            <SelectInput source="sex" choices={sexChoices} validate={required()} disabled={keyLocked} />
            <DateInput source="birthDate" validate={required()} disabled={keyLocked} />
            <RegionInput source="birthPlace" validate={required()} />
            <RegionInput source="nativePlace" validate={required()} freeText />
            {picker('ethnicity', 'ethnicity')}
            {picker('nationality', 'nationality')}
            {picker('overseasChinese', 'overseasChinese')}
            {picker('health', 'health')}
            {picker('bloodType', 'bloodType', false)}

            <Section title="resources.children.sections.household" />
            <RegionInput source="householdRegion" validate={required()} />
            {picker('householdType', 'householdType')}
            <TextInput source="address" validate={required()} fullWidth />
            <TextInput source="phone" validate={required()} />

            <Section title="resources.children.sections.enrollment" />
            <DateInput source="enrolledOn" validate={required()} />
            <ReferenceInput source={classSource} reference="school-classes">
                <SelectInput optionText="name" label="resources.children.fields.schoolClass" validate={required()} />
            </ReferenceInput>
            {picker('enrollmentMode', 'enrollmentMode')}

            <Section title="resources.children.sections.flags" />
            <BooleanInput source="onlyChild" />
            {picker('leftBehind', 'leftBehind', false)}
            <BooleanInput source="migrant" />
            <BooleanInput source="orphan" />
            <BooleanInput source="martyrChild" />
            <BooleanInput source="disabled" />
            <FormDataConsumer>
                {({ formData }) => formData.disabled && (
                    <>
                        <SelectInput source="disabilityType" choices={dictionary('disability')} validate={required()} />
                        <BooleanInput source="inclusiveEducation" />
                    </>
                )}
            </FormDataConsumer>
            <BooleanInput source="needsAid" />

            <CustomFieldInputs entity="child" />

            <Section title="resources.children.sections.guardians" />
            <ArrayInput source="guardians" validate={required()}>
                <SimpleFormIterator inline>
                    <TextInput source="name" label="resources.children.guardian.name" validate={required()} />
                    <SelectInput source="relation" label="resources.children.fields.relation" choices={dictionary('guardianRelation')} validate={required()} />
                    <SelectInput source="idType" label="resources.children.fields.idType" choices={dictionary('idType')} />
                    <TextInput source="idNumber" label="resources.children.fields.idNumber" />
                    <TextInput source="phone" label="resources.children.fields.phone" />
                </SimpleFormIterator>
            </ArrayInput>
        </SimpleForm>
    );
};
