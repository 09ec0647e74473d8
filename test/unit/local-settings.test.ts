import { localSettings } from '../../scripts/local/local-settings';

describe('localSettings', () => {
  it('gives the local defaults when nothing is set', () => {
    expect(localSettings({})).toEqual({
      port: 3000,
      dynamoPort: 8000,
      dynamoEndpoint: 'http://127.0.0.1:8000',
      localDir: '.local',
      outboxFile: '.local/outbox.jsonl',
      authorizerCacheSeconds: 300,
      region: 'us-east-1',
      allowedOrigins: [],
    });
  });

  it('reads ALLOWED_ORIGINS as the stack sets it, comma separated', () => {
    expect(localSettings({ ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com,' }).allowedOrigins).toEqual([
      'https://app.example.com',
      'https://admin.example.com',
    ]);
  });

  it('looks for DynamoDB on DYNAMODB_PORT, and keeps the outbox in LOCAL_DIR', () => {
    const settings = localSettings({ DYNAMODB_PORT: '8123', LOCAL_DIR: '/tmp/otp' });

    expect([settings.dynamoEndpoint, settings.outboxFile]).toEqual(['http://127.0.0.1:8123', '/tmp/otp/outbox.jsonl']);
  });

  it('takes DYNAMODB_ENDPOINT over the local port, and says it was given', () => {
    const settings = localSettings({ DYNAMODB_ENDPOINT: 'http://10.0.0.5:4566', DYNAMODB_PORT: '8123' });

    expect(settings).toMatchObject({ dynamoEndpoint: 'http://10.0.0.5:4566', explicitDynamoEndpoint: 'http://10.0.0.5:4566' });
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['DYNAMODB_PORT', { DYNAMODB_PORT: '70000' }],
    ['AUTHORIZER_CACHE_SECONDS', { AUTHORIZER_CACHE_SECONDS: '-1' }],
    ['DYNAMODB_ENDPOINT', { DYNAMODB_ENDPOINT: 'localhost 8000' }],
  ])('refuses a bad %s, naming it', (name, env) => {
    expect(() => localSettings(env)).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });
});
