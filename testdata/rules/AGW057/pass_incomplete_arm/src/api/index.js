const { app } = require('@azure/functions');

app.http('healthz2', { route: 'health', handler: async () => ({ body: 'ok' }) });
