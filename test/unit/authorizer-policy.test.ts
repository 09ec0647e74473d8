import { stageWildcard } from '../../functions/authorizer';

describe('stageWildcard', () => {
  it('allows every method and path of the stage when given one method ARN', () => {
    const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/auth/v1/mfa/otp/generate';

    expect(stageWildcard(methodArn)).toBe('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*');
  });
});
