const { app } = require('@azure/functions');

// Node.js v4: without authLevel the function is anonymous.
app.get('health', async () => ({ body: 'ok' }));
