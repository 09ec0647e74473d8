import { isDependencyOutage } from '../../functions/shared/dependency-errors';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isDependencyOutage', () => {
  it.each([
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'InternalServerError',
    'ThrottledException',
    'InternalErrorException',
    'KMSThrottlingException',
    'KMSInternalException',
    'TimeoutError',
  ])('counts %s as an outage', (name) => {
    expect(isDependencyOutage(named(name))).toBe(true);
  });

  // SNS answers an unmodelled `Throttling` (HTTP 400) under load; the SDK names the error after that code.
  it.each(['Throttling', 'TooManyRequestsException', 'RequestThrottledException', 'SlowDown'])(
    'counts %s, which the SDK retries as throttling, as an outage',
    (name) => {
      expect(isDependencyOutage(named(name, { $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(true);
    },
  );

  it.each([429, 500, 502, 503, 504])('counts an unnamed error answered with HTTP %i as an outage', (httpStatusCode) => {
    expect(isDependencyOutage(named('UnknownError', { $fault: 'client', $metadata: { httpStatusCode } }))).toBe(true);
  });

  it('does not count an unnamed error answered with HTTP 400 as an outage', () => {
    expect(isDependencyOutage(named('UnknownError', { $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });

  it.each(['ValidationException', 'ConditionalCheckFailedException', 'AccessDeniedException'])(
    'does not count the client error %s as an outage when it came while the SDK corrected its clock',
    (name) => {
      expect(isDependencyOutage(named(name, { $fault: 'client', $metadata: { httpStatusCode: 400, clockSkewCorrected: true } }))).toBe(false);
    },
  );

  it('judges an error whose cause is null by itself', () => {
    expect(isDependencyOutage(Object.assign(named('ValidationException', { $fault: 'client' }), { cause: null }))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH'])('counts the network error %s as an outage', (code) => {
    expect(isDependencyOutage(named('Error', { code }))).toBe(true);
  });

  it('counts any server fault or retryable error as an outage', () => {
    expect(isDependencyOutage(named('SomethingNew', { $fault: 'server' }))).toBe(true);
    expect(isDependencyOutage(named('SomethingNew', { $retryable: { throttling: true } }))).toBe(true);
  });

  it.each(['ValidationException', 'InvalidParameterException', 'KMSAccessDeniedException', 'AuthorizationErrorException', 'Error'])(
    'does not count the client error %s as an outage',
    (name) => {
      expect(isDependencyOutage(named(name, { $fault: 'client' }))).toBe(false);
    },
  );

  it('judges an error a library wrapped around the SDK error by its cause', () => {
    const throttled = new Error('Rate exceeded', { cause: named('ThrottlingException') });
    const missing = new Error('Secrets Manager can not find the specified secret', { cause: named('ResourceNotFoundException', { $fault: 'client' }) });

    expect(isDependencyOutage(Object.assign(throttled, { name: 'GetParameterError' }))).toBe(true);
    expect(isDependencyOutage(Object.assign(missing, { name: 'GetParameterError' }))).toBe(false);
  });

  it('stops following causes that go round in a circle', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    first.cause = second;

    expect(isDependencyOutage(first)).toBe(false);
  });

  it.each([undefined, null, 'ThrottlingException', 42])('does not count the non-object %p as an outage', (value) => {
    expect(isDependencyOutage(value)).toBe(false);
  });
});
