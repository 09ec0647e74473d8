import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MfaOtpStack } from './mfa-otp-stack';
import { readStackConfig } from './stack-config';

/**
 * Adds the service stack for the stage named in the context, checked by cdk-nag's AWS
 * Solutions pack: an unacknowledged finding (error or warning) fails the synth.
 */
export function buildApp(app: App): MfaOtpStack {
  const config = readStackConfig(app.node);
  // The context's, or the CDK CLI's (from its profile): the template is written for that region.
  const account = config.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = config.region ?? process.env.CDK_DEFAULT_REGION;
  const stack = new MfaOtpStack(app, `MfaOtp-${config.stage}`, {
    config,
    ...(account || region ? { env: { account, region } } : {}),
    description: `MFA OTP service (${config.stage})`,
    terminationProtection: config.stage === 'prod',
    tags: { service: 'mfa-otp', stage: config.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
