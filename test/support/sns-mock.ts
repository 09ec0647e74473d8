import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

/**
 * Every SNSClient of the test file mocked: each test starts with no calls recorded and
 * every Publish answering with a message ID; the real client is back once the file ends.
 */
export function mockSnsPublish(): AwsClientStub<SNSClient> {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  });
  afterAll(() => {
    sns.restore();
  });
  return sns;
}
