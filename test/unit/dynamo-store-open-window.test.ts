import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoStore } from '../../functions/shared/dynamo-store';

const NOW = 1_700_000_000_000;
const WINDOW = { count: 2, windowEnd: NOW + 60_000, takes: new Set(['take-0', 'take-1']), ttl: 1_700_000_060 };

const conditionFailure = (Item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 }, ...(Item ? { Item: Item as never } : {}) });

describe('DynamoStore.openWindow', () => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  // The document client hands a failed condition's item on as DynamoDB sent it: both forms are faked here.
  const dynamo = mockClient(documentClient);
  const store = new DynamoStore(documentClient, 'mfa-otp-test');

  beforeEach(() => {
    dynamo.reset();
  });

  afterAll(() => {
    dynamo.restore();
  });

  it('asks DynamoDB for the open window with a failed condition', async () => {
    dynamo.on(UpdateCommand).resolves({});

    await expect(store.openWindow('acme#+18767431754', NOW + 60_000, NOW, 'take-2')).resolves.toEqual({ opened: true });

    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });

  it('returns the open window DynamoDB sent back in its attribute-value form', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailure(marshall({ pk: 'OTPCOUNT#acme#+18767431754', ...WINDOW })));

    const opening = await store.openWindow('acme#+18767431754', NOW + 60_000, NOW, 'take-2');

    expect(opening).toEqual({ opened: false, current: { count: 2, windowEnd: NOW + 60_000, takes: ['take-0', 'take-1'] } });
  });

  it('returns the open window when it comes back already unmarshalled', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailure({ pk: 'OTPCOUNT#acme#+18767431754', ...WINDOW }));

    const opening = await store.openWindow('acme#+18767431754', NOW + 60_000, NOW, 'take-2');

    expect(opening).toEqual({ opened: false, current: { count: 2, windowEnd: NOW + 60_000, takes: ['take-0', 'take-1'] } });
  });

  it('says only that a window is open when the failed condition brings no item back, as dynalite does', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailure());

    await expect(store.openWindow('acme#+18767431754', NOW + 60_000, NOW, 'take-2')).resolves.toEqual({ opened: false });
  });
});
