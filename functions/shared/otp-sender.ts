import type { OtpSender } from '../domain/ports';
import { sns } from './aws-clients';
import { config } from './config';
import { OutboxOtpSender } from './outbox-otp-sender';
import { SnsOtpSender } from './sns-otp-sender';

/** SNS on Lambda; the local outbox only when configured for local development. */
export const otpSender: OtpSender =
  config.OTP_SENDER === 'outbox' ? new OutboxOtpSender(config.OUTBOX_FILE) : new SnsOtpSender(sns, config.OTP_TOPIC_ARN);
