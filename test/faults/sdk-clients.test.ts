import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../functions/shared/config';
import { apiEvent, invoke, type Answer } from '../support/api-events';

type Clients = typeof import('../../functions/shared/aws-clients');

/** A DynamoDB endpoint that takes requests and never answers them. */
async function hungEndpoint(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const pending: IncomingMessage[] = [];
  const server: Server = createServer((request) => {
    pending.push(request);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => pending.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The clients module loaded afresh with these settings on top of the test environment. */
async function clientsWith(env: Record<string, string>): Promise<Clients> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let clients: Clients | undefined;
    await jest.isolateModulesAsync(async () => {
      clients = await import('../../functions/shared/aws-clients');
    });
    return clients as Clients;
  } finally {
    process.env = saved;
  }
}

/** The options the client's NodeHttpHandler resolved (a private field: there is no public getter). */
const handlerOptions = async (client: { config: { requestHandler: unknown } }) =>
  (client.config.requestHandler as { configProvider: Promise<Record<string, unknown>> }).configProvider;

describe('AWS clients', () => {
  it.each(['dynamoDb', 'sns', 'kms', 'secretsManager'] as const)(
    'gives %s the configured connection and request timeouts, throwing on either, and bounded attempts',
    async (name) => {
      const clients = await clientsWith({});
      const client = clients[name] as unknown as { config: { requestHandler: unknown; maxAttempts: () => Promise<number> } };

      const options = await handlerOptions(client);

      expect(options).toMatchObject({
        connectionTimeout: config.SDK_CONNECT_TIMEOUT_MS,
        requestTimeout: config.SDK_REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      });
      expect(await client.config.maxAttempts()).toBe(config.SDK_MAX_ATTEMPTS);
    },
  );

  it('turns a DynamoDB that never answers into a TimeoutError after SDK_MAX_ATTEMPTS tries', async () => {
    const endpoint = await hungEndpoint();
    const clients = await clientsWith({ DYNAMODB_ENDPOINT: endpoint.url, SDK_REQUEST_TIMEOUT_MS: '100', SDK_MAX_ATTEMPTS: '3' });
    try {
      const call = clients.documentClient.send(new GetCommand({ TableName: 'mfa-otp-test', Key: { pk: 'x' } }));

      await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(endpoint.requests()).toBe(3);
    } finally {
      clients.dynamoDb.destroy();
      await endpoint.close();
    }
  }, 10_000);

  it('answers otp/generate with 503 and Retry-After when DynamoDB hangs', async () => {
    const endpoint = await hungEndpoint();
    const saved = { ...process.env };
    Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint.url, SDK_REQUEST_TIMEOUT_MS: '100', SDK_MAX_ATTEMPTS: '2' });
    try {
      let answer: Answer | undefined;
      await jest.isolateModulesAsync(async () => {
        const { logger } = await import('../../functions/shared/logger');
        jest.spyOn(logger, 'error').mockImplementation(() => undefined);
        const { handler } = await import('../../functions/otp-generate');
        const body = { identifierType: 'MOBILE', identifierValue: '+18767431754', deviceId: 'd', brand: 'hung', sessionId: 'P-1' };
        answer = await invoke(handler, apiEvent({ body, caller: { brand: 'hung' } }));
      });

      expect(answer?.statusCode).toBe(503);
      expect(answer?.headers['Retry-After']).toBe('1');
      expect(endpoint.requests()).toBe(2);
    } finally {
      process.env = saved;
      jest.restoreAllMocks();
      await endpoint.close();
    }
  }, 10_000);
});
