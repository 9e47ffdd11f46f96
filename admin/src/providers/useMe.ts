import { useGetIdentity } from 'react-admin';
import { Me } from './session';

/** The signed-in user as `GET /api/me` describes them (through authProvider.getIdentity). */
export const useMe = () => {
    const { identity, isPending, error } = useGetIdentity();
    return { me: identity as unknown as Me | undefined, isPending, error };
};
