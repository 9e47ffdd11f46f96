import { useTranslate } from 'react-admin';

/** The reason of a failed API call: the first field error's message, else the error's message. */
export const reasonOf = (failure: any): string =>
    failure?.body?.error?.details?.errors?.[0]?.message ?? failure?.body?.error?.message ?? failure?.message ?? String(failure);

const CHINESE = /[\u4e00-\u9fff]/;

/**
 * A refused action always says why: the server's own words (its messages are Chinese, naming the
 * field and the reason); where the server answered with a bare status (e.g. Strapi's "Forbidden"
 * when a role lacks the route), the panel's sentence for that status.
 */
export const useReason = () => {
    const translate = useTranslate();
    return (failure: any): string => {
        const reason = reasonOf(failure);
        const status = Number(failure?.status ?? failure?.body?.error?.status);
        if (CHINESE.test(reason) || !status) return reason;
        return translate(`app.settings.refused.${status}`, { _: translate('app.settings.refused.other', { status }) });
    };
};
