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

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN'])('counts the network error %s as an outage', (code) => {
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
