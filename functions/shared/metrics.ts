import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { isPhoneChannel, type Channel } from '../domain/brand-config';
import type { OtpRecord } from '../domain/ports';
import { config } from './config';
import { logger } from './logger';

/**
 * The one Metrics instance of a function: CloudWatch embedded metric format on stdout,
 * namespace from POWERTOOLS_METRICS_NAMESPACE. Off where POWERTOOLS_DEV is set (tests)
 * unless POWERTOOLS_METRICS_DISABLED says otherwise.
 */
export const metrics = new Metrics({
  namespace: config.POWERTOOLS_METRICS_NAMESPACE,
  serviceName: config.POWERTOOLS_SERVICE_NAME,
});

export type OtpMetric = 'OtpGenerated' | 'OtpRateLimited' | 'OtpDeliveryFailed' | 'OtpValidated' | 'OtpValidationFailed';

export interface OtpDimensions {
  brand: string;
  channel: Channel | 'unknown';
  /** ISO 3166 alpha-2 of a phone destination; what SMS costs and pumping attacks vary by. */
  country?: string;
}

/** The dimensions of an OTP sent by `channel`: the destination itself never becomes one. */
export function otpDimensions(brand: string, channel: Channel | 'unknown', country?: string): OtpDimensions {
  if (!isPhoneChannel(channel)) return { brand, channel };
  return { brand, channel, country: country ?? 'unknown' };
}

/**
 * The dimensions of a validation: those of the OTP it judged, as generate recorded them
 * (`unknown` where there was no OTP, or it was stored before they were recorded).
 */
export function validationDimensions(brand: string, otp: Pick<OtpRecord, 'channel' | 'country'> | undefined): OtpDimensions {
  return otpDimensions(brand, otp?.channel ?? 'unknown', otp?.country);
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
