import { Create, Edit, SaveButton, Toolbar, useRecordContext } from 'react-admin';
import { ChildForm } from './ChildForm';

/**
 * A registered child (with a 学籍号) is never deleted (the server refuses, cms/src/domain/child-rules.ts):
 * its form offers 保存 only; it leaves through 离园, 毕业 or 转出, a duplicate through 问题学籍.
 */
const SaveOnlyToolbar = () => <Toolbar><SaveButton /></Toolbar>;

const EditForm = () => {
    const record = useRecordContext();
    const registered = Boolean(record?.studentNumber || record?.studentNumberMasked);
    return <ChildForm keyLocked={registered} classSource="schoolClass.id" toolbar={registered ? <SaveOnlyToolbar /> : undefined} />;
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
