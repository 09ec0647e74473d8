import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS, readStackConfig } from '../../lib/stack-config';

function read(context: Record<string, unknown>) {
  return readStackConfig(new App({ context }).node);
}

describe('CONTEXT_KEYS', () => {
  it('are each documented in the context table of docs/deploy.md', () => {
    const deployGuide = readFileSync(join(__dirname, '../../docs/deploy.md'), 'utf8');
    // The first cell of each table row: one key, or a few (`account`, `region`).
    const documented = deployGuide.split('\n').map((line) => /^\| ([^|]+) \|/.exec(line)?.[1] ?? '');

    expect(CONTEXT_KEYS.filter((key) => !documented.some((cell) => cell.includes(`\`${key}\``)))).toEqual([]);
  });
});

describe('readStackConfig', () => {
  it('defaults to a dev stage with the documented limits when no context is given', () => {
    const config = read({});

    expect(config).toEqual({
      stage: 'dev',
      allowedOrigins: [],
      smsMonthlySpendLimitUsd: 1,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      authorizerCacheTtlSeconds: 300,
      wafRateLimitPerIp: 1000,
      wafBlockedAlarmThreshold: 100,
      firstFactorSecretPrefix: 'mfa-otp/dev/first-factor/',
      logRetention: RetentionDays.ONE_MONTH,
    });
  });

  it('keeps each stage to first-factor secrets of its own unless told otherwise', () => {
    expect(read({ stage: 'prod' }).firstFactorSecretPrefix).toBe('mfa-otp/prod/first-factor/');
    expect(read({ stage: 'prod', firstFactorSecretPrefix: 'acme/login/' }).firstFactorSecretPrefix).toBe('acme/login/');
  });

  it('keeps prod logs for a year unless told otherwise', () => {
    expect(read({ stage: 'prod' }).logRetention).toBe(RetentionDays.ONE_YEAR);
    expect(read({ stage: 'prod', logRetentionDays: '90' }).logRetention).toBe(RetentionDays.THREE_MONTHS);
  });

  it('reads the strings that -c key=value passes', () => {
    const config = read({
      stage: 'prod',
      smsMonthlySpendLimitUsd: '250.5',
      throttleRateLimit: '20',
      authorizerCacheTtlSeconds: '0',
      allowedOrigins: 'https://a.example.com, https://b.example.com:8443',
      alarmEmail: 'oncall@example.com',
      smsSenderId: 'Acme2FA',
    });

    expect(config).toMatchObject({
      smsMonthlySpendLimitUsd: 250.5,
      throttleRateLimit: 20,
      authorizerCacheTtlSeconds: 0,
      allowedOrigins: ['https://a.example.com', 'https://b.example.com:8443'],
      alarmEmail: 'oncall@example.com',
      smsSenderId: 'Acme2FA',
    });
  });

  it('treats an empty value as unset', () => {
    const config = read({ alarmEmail: '', smsSenderId: '' });

    expect(config.alarmEmail).toBeUndefined();
    expect(config.smsSenderId).toBeUndefined();
  });

  it.each([
    ['stage', 'staging'],
    ['smsSenderId', '12345'],
    ['smsSenderId', 'TWELVECHARS1'],
    ['allowedOrigins', 'http://app.example.com'],
    ['allowedOrigins', 'https://app.example.com/'],
    ['authorizerCacheTtlSeconds', '3601'],
    ['throttleBurstLimit', '0'],
    ['smsMonthlySpendLimitUsd', 'lots'],
    ['alarmEmail', 'oncall'],
    ['logRetentionDays', '42'],
    ['firstFactorSecretPrefix', 'no-trailing-slash'],
    ['tokenIssuer', 'http://auth.example.com'],
  ])('refuses %s=%s and names the key', (key, value) => {
    expect(() => read({ [key]: value })).toThrow(new RegExp(`Invalid CDK context: .*${key}`));
  });

  it.each([
    ['Stage', 'stage'],
    ['alarm-email', 'alarmEmail'],
    ['WAF_RATE_LIMIT_PER_IP', 'wafRateLimitPerIp'],
  ])('refuses the key %s, which would be passed by, naming %s', (key, meant) => {
    expect(() => read({ [key]: 'prod' })).toThrow(`Invalid CDK context: ${key}: unknown key, did you mean ${meant}?`);
  });

  it('refuses a plain key that is none of ours, pointing at the list', () => {
    expect(() => read({ smsSpendLimit: '5' })).toThrow('Invalid CDK context: smsSpendLimit: unknown key, see docs/deploy.md for the keys');
  });

  it("lets CDK's own context keys pass", () => {
    const cdkKeys = {
      '@aws-cdk/core:newStyleStackSynthesis': true,
      'aws:cdk:bundling-stacks': ['**'],
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [1],
    };

    expect(read(cdkKeys).stage).toBe('dev');
  });
});
