import { app, HttpRequest, HttpResponseInit } from '@azure/functions';

export async function health(req: HttpRequest): Promise<HttpResponseInit> {
    return { body: `ok ${req.url}` };
}

app.http('health', { methods: ['GET'], authLevel: 'function', handler: health });
