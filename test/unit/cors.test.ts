import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { parseOrigins } from '../../functions/shared/cors';
import { UnauthorizedError } from '../../functions/shared/errors';
import { jsonRoute } from '../../functions/shared/http-middleware';
import { apiEvent, type EventOptions } from '../support/api-events';
import { lambdaContext } from '../../scripts/local/lambda-context';

function handlerWith(origins: string[], fail = false) {
  return middy(async (): Promise<APIGatewayProxyResult> => {
    if (fail) throw new UnauthorizedError();
    return { statusCode: 200, body: '{}' };
  }).use(jsonRoute({ allowedOrigins: origins }));
}

describe('cors', () => {
  it('echoes an allowed origin on a success', async () => {
    const handler = handlerWith(['https://app.example.com']);

    const result = await handler(apiEvent({ caller: { brand: 'acme' }, body: {}, headers: { Origin: 'https://app.example.com' } }), lambdaContext('t'));

    expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', Vary: 'Origin' });
  });

  it('echoes an allowed origin on an error envelope too', async () => {
    const handler = handlerWith(['https://app.example.com'], true);

    const result = await handler(apiEvent({ caller: { brand: 'acme' }, body: {}, headers: { origin: 'https://app.example.com' } }), lambdaContext('t'));

    expect(result.statusCode).toBe(401);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
  });

  it.each<[string, EventOptions['caller'], number]>([
    ['401 to an event without a caller', undefined, 401],
    ['403 to a caller without customer:write', { brand: 'acme', scopes: ['customer:read'] }, 403],
  ])('echoes an allowed Origin, so spelt, on the %s', async (_label, caller, status) => {
    const handler = handlerWith(['https://app.example.com']);

    const result = await handler(apiEvent({ caller, body: {}, headers: { Origin: 'https://app.example.com' } }), lambdaContext('t'));

    expect(result.statusCode).toBe(status);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
  });

  it('names no origin when the caller’s origin is not allowed', async () => {
    const handler = handlerWith(['https://app.example.com']);

    const result = await handler(apiEvent({ caller: { brand: 'acme' }, body: {}, headers: { Origin: 'https://evil.example' } }), lambdaContext('t'));

    expect(result.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('reads a comma-separated list and ignores blanks', () => {
    expect(parseOrigins(' https://a.example , ,https://b.example')).toEqual(['https://a.example', 'https://b.example']);
    expect(parseOrigins(undefined)).toEqual([]);
  });
});
