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

  it.each([undefined, null, 'ThrottlingException', 42])('does not count the non-object %p as an outage', (value) => {
    expect(isDependencyOutage(value)).toBe(false);
  });
});
