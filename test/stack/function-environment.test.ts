import { FUNCTION_NAMES, type FunctionName } from '../../lib/permissions';
import { environmentOf, synth } from './synth';

/** What Lambda would see: references resolved to some deployed value, plain strings as they are. */
function deployedEnvironment(variables: Record<string, unknown>): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = {
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(variables)) {
    resolved[name] = typeof value === 'string' ? value : `arn:aws:service:eu-west-1:123456789012:resolved-${name.toLowerCase()}`;
  }
  return resolved;
}

function loadHandler(name: FunctionName, env: NodeJS.ProcessEnv): unknown {
  const original = process.env;
  process.env = env;
  try {
    let handler: unknown;
    jest.isolateModules(() => {
      // A fresh module registry per load needs the synchronous require.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(`../../functions/${name}/index`) as { handler: unknown }).handler;
    });
    return handler;
  } finally {
    process.env = original;
  }
}

describe('function environment', () => {
  const prod = synth({ stage: 'prod' });

  it.each(FUNCTION_NAMES)('lets %s load with exactly the variables the stack gives it', (name) => {
    const env = deployedEnvironment(environmentOf(prod, name));

    expect(typeof loadHandler(name, env)).toBe('function');
  });

  it.each([
    ['otp-generate', 'OTP_PEPPER_SECRET_ARN'],
    ['otp-validate', 'TOKEN_KMS_KEY_ID'],
    ['token-generate', 'TOKEN_KMS_KEY_ID'],
    ['jwks', 'TOKEN_KMS_KEY_ID'],
  ] as const)('stops %s at load, naming %s, when the stack does not give it', (name, variable) => {
    const env = deployedEnvironment(environmentOf(prod, name));
    delete env[variable];

    expect(() => loadHandler(name, env)).toThrow(`${variable} must be set`);
  });

  it('stops otp-generate at load when told to deliver to the outbox on Lambda, which would log every OTP', () => {
    const env = { ...deployedEnvironment(environmentOf(prod, 'otp-generate')), OTP_SENDER: 'outbox' };

    expect(() => loadHandler('otp-generate', env)).toThrow('Invalid configuration: OTP_SENDER: outbox is for local development');
  });
});
