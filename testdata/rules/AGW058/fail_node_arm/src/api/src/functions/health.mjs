import { app } from '@azure/functions';

app.post('health', async () => ({ body: 'ok' }));
