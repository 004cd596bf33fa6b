const { app } = require('@azure/functions');

app.get('status', async () => ({ body: 'ok' }));
