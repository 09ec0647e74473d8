import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { localClients } from '../../scripts/local/dynamo-local';
import { scanLogsOfEachTest } from '../support/log-scan';

describe('test dynalite', () => {
  scanLogsOfEachTest();

  it('is reachable from a worker with the table created', async () => {
    const { client } = localClients(process.env.DYNAMODB_ENDPOINT as string);
    const table = await client.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    client.destroy();
  });
});
