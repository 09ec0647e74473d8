import '../support/lambda-output';
import { PublishCommand, ThrottledException } from '@aws-sdk/client-sns';
import { handler as otpGenerate } from '../../functions/otp-generate';
import { handler as otpValidate } from '../../functions/otp-validate';
import { apiEvent, invoke } from '../support/api-events';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { issuedIn, leaksIn, publishedOtps } from '../support/log-scan';
import { generateBody, otpFixture, otpOf, type OtpFixture } from '../support/otp-generate';
import { mockSnsPublish } from '../support/sns-mock';

const sns = mockSnsPublish();

/** CloudWatch's units (the EMF specification's MetricDefinition). */
const UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None']);

type Record_ = Record<string, unknown>;
interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit?: string }>;
}

/** The EMF specification's rules for one document; the problems found, none when it holds. */
function emfProblems(document: Record_, startedAt: number): string[] {
  const problems: string[] = [];
  const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: Directive[] };
  if (typeof aws.Timestamp !== 'number' || aws.Timestamp < startedAt || aws.Timestamp > Date.now()) problems.push('Timestamp');
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...problems, 'CloudWatchMetrics'];
  for (const directive of aws.CloudWatchMetrics) {
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0 || directive.Namespace.length > 255) problems.push('Namespace');
    for (const set of directive.Dimensions) {
      if (set.length > 30) problems.push('more than 30 dimensions');
      for (const key of set) if (typeof document[key] !== 'string' || (document[key] as string).length > 1024) problems.push(`dimension ${key}`);
    }
    if (directive.Metrics.length > 100) problems.push('more than 100 metrics');
    for (const { Name, Unit } of directive.Metrics) {
      const value = document[Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.some((one) => typeof one !== 'number')) problems.push(`value of ${Name}`);
      if (Unit !== undefined && !UNITS.has(Unit)) problems.push(`unit of ${Name}`);
    }
  }
  return problems;
}

describe('what the functions write, as Lambda reads it', () => {
  let logs: LogCapture;
  let startedAt: number;
  let fixture: OtpFixture;
  const requests: string[] = [];
  const issued: string[] = [];
  let otps: string[] = [];

  /** Invokes a handler as the fixture brand's caller, recording its API Gateway request ID. */
  async function call(handler: unknown, path: string, body: Record_) {
    const event = apiEvent({ path, body, caller: { brand: fixture.brand.brand } });
    requests.push(event.requestContext.requestId);
    return invoke(handler, event);
  }

  beforeAll(async () => {
    fixture = await otpFixture({ brand: { otpMaxCount: 2, otpTimeOut: 10 } });
    startedAt = Date.now();
    logs = captureLogs();
    // Through each outcome an OTP metric counts: delivered, refused by SNS, right and wrong codes, the limit.
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', generateBody(fixture));
    const otp = otpOf(sns.commandCalls(PublishCommand)[0]?.args[0].input);
    const wrong = otp.slice(0, -1) + String((Number(otp.slice(-1)) + 1) % 10);
    await call(otpValidate, '/auth/v1/mfa/otp/validate', generateBody(fixture, { otp: wrong }));
    issued.push(...issuedIn(await call(otpValidate, '/auth/v1/mfa/otp/validate', generateBody(fixture, { otp }))));
    const fresh = await otpFixture({ brand: { otpMaxCount: 1, otpTimeOut: 10 } });
    fixture = fresh;
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', generateBody(fresh));
    sns.on(PublishCommand).resolves({ MessageId: 'message-2' });
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', generateBody(fresh));
    await call(otpGenerate, '/auth/v1/mfa/otp/generate', generateBody(fresh));
    logs.restore();
    otps = publishedOtps(sns);
  });

  const written = () => logs.lines();
  const documents = () => written().map((chunk) => JSON.parse(chunk) as Record_);
  const emf = () => documents().filter((document) => '_aws' in document);

  it('writes every record as one JSON line', () => {
    expect(written().length).toBeGreaterThan(6);
    for (const chunk of written()) {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.trimEnd()).not.toContain('\n');
      expect(() => JSON.parse(chunk)).not.toThrow();
    }
  });

  it('writes every metric as a document the EMF specification accepts', () => {
    expect(emf().map((document) => emfProblems(document, startedAt))).toEqual(emf().map(() => []));
  });

  it('counts each outcome once, in the MfaOtp namespace, by brand, channel and country', () => {
    const counted = emf().map((document) => {
      const [directive] = (document._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;
      const name = directive?.Metrics[0]?.Name as string;
      return [directive?.Namespace, name, document[name], directive?.Dimensions, document.channel, document.country];
    });

    expect(counted).toEqual([
      ['MfaOtp', 'OtpGenerated', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
      ['MfaOtp', 'OtpValidationFailed', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
      ['MfaOtp', 'OtpValidated', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
      ['MfaOtp', 'OtpDeliveryFailed', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
      ['MfaOtp', 'OtpGenerated', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
      ['MfaOtp', 'OtpRateLimited', 1, [['service', 'brand', 'channel', 'country']], 'SMS', 'JM'],
    ]);
  });

  it('never writes an OTP, the number, a token or a refresh key', () => {
    expect([otps.length, issued.length]).toEqual([3, 2]);
    expect(leaksIn(written(), { otps, secrets: issued })).toEqual([]);
  });

  it('writes every log line with its level, a constant message, the service and its request ID', () => {
    const lines = documents().filter((document) => !('_aws' in document));

    expect(lines.length).toBeGreaterThanOrEqual(requests.length);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(String), message: expect.any(String), service: 'mfa-otp', timestamp: expect.any(String) });
      expect(requests).toContain(line.correlation_id);
    }
  });
});
