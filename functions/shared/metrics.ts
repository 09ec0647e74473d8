import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '../domain/brand-config';
import { phoneParser, type Identifier } from '../domain/identifiers';
import { logger, SERVICE_NAME } from './logger';

/**
 * The one Metrics instance of a function: CloudWatch embedded metric format on stdout,
 * namespace from POWERTOOLS_METRICS_NAMESPACE. Off where POWERTOOLS_DEV is set (tests)
 * unless POWERTOOLS_METRICS_DISABLED says otherwise.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'MfaOtp',
  serviceName: SERVICE_NAME,
});

export type OtpMetric = 'OtpGenerated' | 'OtpRateLimited' | 'OtpDeliveryFailed' | 'OtpValidated' | 'OtpValidationFailed';

export interface OtpDimensions {
  brand: string;
  channel: Channel | string;
  /** ISO 3166 alpha-2 of a phone destination; what SMS costs and pumping attacks vary by. */
  country?: string;
}

const PHONE_CHANNELS: ReadonlySet<string> = new Set(['SMS', 'WHATSAPP', 'ZALO']);

/** A number's country: the one its normalisation found, or a parse of the E.164 form. */
const countryOf = (e164: string, known?: string) => known ?? phoneParser()(e164)?.country ?? 'unknown';

/** The dimensions of an OTP sent to `to`: the destination itself never becomes one. */
export function otpDimensions(brand: string, channel: Channel, to: string, country?: string): OtpDimensions {
  if (!PHONE_CHANNELS.has(channel)) return { brand, channel };
  return { brand, channel, country: countryOf(to, country) };
}

/**
 * The dimensions of a validation. The session does not record which channel its OTP
 * went by, so `channel` is the kind of identifier it was sent for (MOBILE, EMAIL,
 * USERNAME, EXTERNALID), with the country of a MOBILE.
 */
export function validationDimensions(brand: string, identifier: Identifier | undefined): OtpDimensions {
  if (!identifier) return { brand, channel: 'unknown' };
  if (identifier.type !== 'MOBILE') return { brand, channel: identifier.type };
  return { brand, channel: 'MOBILE', country: countryOf(identifier.value, identifier.country) };
}

/**
 * Counts one OTP outcome and writes it at once as its own EMF line, so that its
 * dimensions never mix with another request's and nothing waits for the end of the
 * invocation (or is lost when it fails). Never throws: a metric is not worth a request.
 */
export function countOtp(name: OtpMetric, dimensions: OtpDimensions, metadata: Record<string, string> = {}): void {
  try {
    for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
    for (const [key, value] of Object.entries(dimensions)) if (value) metrics.addDimension(key, value);
    metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  } catch (error) {
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
    logger.warn('Metric not recorded', { metric: name, error: error as Error });
  }
}
