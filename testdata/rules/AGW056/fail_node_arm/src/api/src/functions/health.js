const { app } = require('@azure/functions');

// No authLevel: app.http defaults to anonymous, so this one says function on purpose.
app.http('health', {
    methods: ['GET'],
    authLevel: 'function',
    handler: async () => ({ body: 'ok' }),
});
