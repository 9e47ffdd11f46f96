import { Create, Edit, useRecordContext } from 'react-admin';
import { ChildForm } from './ChildForm';

const EditForm = () => {
    const record = useRecordContext();
    return <ChildForm keyLocked={Boolean(record?.studentNumber || record?.studentNumberMasked)} classSource="schoolClass.id" />;
};

/** 编辑学籍: the kindergarten corrects a record; key fields are read-only once the 学籍号 is issued. */
export const ChildEdit = () => (
    <Edit mutationMode="pessimistic" redirect="show" transform={(data: any) => ({ ...data, schoolClass: data.schoolClass?.id ?? data.schoolClass })}>
        <EditForm />
    </Edit>
);

/** A kindergarten enters a child: code-table pickers, the ID fills sex and birth date, duplicates show inline. */
export const ChildCreate = () => (
    <Create redirect="show">
        <ChildForm />
    </Create>
);
