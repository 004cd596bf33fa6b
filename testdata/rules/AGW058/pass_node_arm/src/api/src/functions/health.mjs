import { app } from '@azure/functions';

// Node.js v4 default methods: GET and POST.
app.http('health', { handler: async () => ({ body: 'ok' }) });
