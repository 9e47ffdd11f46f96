import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import { AccountList } from './AccountList';
import { AccountShow } from './AccountShow';
import { AccountEdit } from './AccountEdit';
import { AccountCreate } from './AccountCreate';

/** 账号管理: each level manages the accounts of the level right below it. */
export default {
    list: AccountList,
    show: AccountShow,
    edit: AccountEdit,
    create: AccountCreate,
    icon: ManageAccountsIcon,
    recordRepresentation: 'username',
};

export { AccountList, AccountShow, AccountEdit, AccountCreate };
