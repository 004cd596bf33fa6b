import { app } from '@azure/functions';

app.http('health', { methods: ['GET'], handler: async () => ({ body: 'ok' }) });
