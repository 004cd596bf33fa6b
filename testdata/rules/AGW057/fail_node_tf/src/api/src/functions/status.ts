import { app } from '@azure/functions';

app.http('health', { route: 'status', handler: async () => ({ body: 'ok' }) });
