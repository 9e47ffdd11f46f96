import { Card, CardContent, Stack, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';

const SECTIONS = ['panel', 'admin', 'nocode', 'api'] as const;

/**
 * 帮助: what the parts of the system are, in the user's language — this panel, the system
 * administrator's back office at /admin (what it is for, why it is closed by default, how it is
 * opened), the no-code screens, and the API's description (/api/openapi.json).
 */
export const HelpPage = () => {
    const translate = useTranslate();
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="app.help.title" />
            <CardContent>
                <Stack spacing={3} sx={{ maxWidth: 860 }}>
                    {SECTIONS.map((section) => (
                        <section key={section} id={`help-${section}`}>
                            <Typography variant="h6" gutterBottom>{translate(`app.help.${section}.title`)}</Typography>
                            {(translate(`app.help.${section}.body`) as string).split('\n').map((line, i) => (
                                <Typography key={i} variant="body2" paragraph>{line}</Typography>
                            ))}
                        </section>
                    ))}
                </Stack>
            </CardContent>
        </Card>
    );
};
