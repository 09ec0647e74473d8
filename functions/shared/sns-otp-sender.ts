import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { Channel } from '../domain/brand-config';
import { deliveryFields } from '../domain/delivery';
import type { OtpMessage, OtpSender } from '../domain/ports';
import { DestinationRefusedError } from './errors';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** The version of the JSON that channel workers receive on the delivery topic. */
const DELIVERY_MESSAGE_VERSION = 1;

/**
 * Delivers OTPs through Amazon SNS: SMS by direct publish to the number, every other
 * channel as a message on the delivery topic that its channel worker subscribes to
 * with a filter policy on the `channel` attribute.
 */
export class SnsOtpSender implements OtpSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string | undefined,
  ) {}

  supports(channel: Channel): boolean {
    return channel === 'SMS' || this.topicArn !== undefined;
  }

  async send(message: OtpMessage): Promise<void> {
    try {
      await this.sns.send(message.channel === 'SMS' ? this.smsCommand(message) : this.topicCommand(message));
    } catch (error) {
      if (message.channel === 'SMS' && isRefusedNumber(error)) throw new DestinationRefusedError({ cause: error });
      throw error;
    }
  }

  private smsCommand(message: OtpMessage): PublishCommand {
    const attributes: Record<string, MessageAttributeValue> = { 'AWS.SNS.SMS.SMSType': text('Transactional') };
    if (message.smsSenderId) attributes['AWS.SNS.SMS.SenderID'] = text(message.smsSenderId);
    if (message.smsOriginationNumber) attributes['AWS.MM.SMS.OriginationNumber'] = text(message.smsOriginationNumber);
    return new PublishCommand({ PhoneNumber: message.to, Message: message.text, MessageAttributes: attributes });
  }

  private topicCommand(message: OtpMessage): PublishCommand {
    return new PublishCommand({
      TopicArn: this.topicArn,
      Message: JSON.stringify({ version: DELIVERY_MESSAGE_VERSION, ...deliveryFields(message) }),
      MessageAttributes: { channel: text(message.channel) },
    });
  }
}

/**
 * SNS saying that the phone number itself cannot be sent to: opted out of SMS from this
 * account, or not a number SMS reaches (`InvalidParameter` naming `PhoneNumber`). Other
 * invalid parameters (sender ID, message) are ours, and stay a 500.
 */
function isRefusedNumber(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'OptedOutException') return true;
  if (name !== 'InvalidParameterException' && name !== 'InvalidParameterValueException') return false;
  return /phone ?number|opted[ -]?out/i.test(message ?? '');
}
