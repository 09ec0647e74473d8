import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { OtpMessage } from '../../functions/domain/ports';
import { SnsOtpSender } from '../../functions/shared/sns-otp-sender';
import { mockSnsPublish } from '../support/sns-mock';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:otp-delivery';
const sms: OtpMessage = { channel: 'SMS', to: '+18767431754', brand: 'acme', sessionId: 'P-1', otp: '123456', text: 'Code 123456' };

describe('SnsOtpSender', () => {
  const sns = mockSnsPublish();

  const publishedInputs = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

  it('publishes an SMS to the number as a transactional message', async () => {
    await new SnsOtpSender(new SNSClient({}), TOPIC).send(sms);

    expect(publishedInputs()).toEqual([
      {
        PhoneNumber: '+18767431754',
        Message: 'Code 123456',
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      },
    ]);
  });

  it('adds the sender ID and origination number when given', async () => {
    await new SnsOtpSender(new SNSClient({}), TOPIC).send({ ...sms, smsSenderId: 'ACME', smsOriginationNumber: '+15005550006' });

    expect(publishedInputs()[0]?.MessageAttributes).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACME' },
      'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+15005550006' },
    });
  });

  it.each(['EMAIL', 'WHATSAPP', 'ZALO'] as const)('publishes %s on the delivery topic with a channel attribute', async (channel) => {
    const to = channel === 'EMAIL' ? 'jane@example.com' : '+18767431754';

    await new SnsOtpSender(new SNSClient({}), TOPIC).send({ ...sms, channel, to });

    expect(publishedInputs()).toEqual([
      {
        TopicArn: TOPIC,
        Message: JSON.stringify({ version: 1, channel, to, brand: 'acme', sessionId: 'P-1', otp: '123456', message: 'Code 123456' }),
        MessageAttributes: { channel: { DataType: 'String', StringValue: channel } },
      },
    ]);
  });

  it('supports SMS only when there is no delivery topic', () => {
    const sender = new SnsOtpSender(new SNSClient({}), undefined);

    expect(sender.supports('SMS')).toBe(true);
    expect(sender.supports('EMAIL')).toBe(false);
    expect(sender.supports('WHATSAPP')).toBe(false);
  });

  it('supports every channel with a delivery topic', () => {
    const sender = new SnsOtpSender(new SNSClient({}), TOPIC);

    expect(['SMS', 'EMAIL', 'WHATSAPP', 'ZALO'].every((c) => sender.supports(c as OtpMessage['channel']))).toBe(true);
  });

  it('passes a publish failure on', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottledException' }));

    await expect(new SnsOtpSender(new SNSClient({}), TOPIC).send(sms)).rejects.toMatchObject({ name: 'ThrottledException' });
  });
});
