export const PEPPER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:otp-pepper';
export const TOKEN_KMS_KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/token-signing';

/**
 * Runs `load` in a module registry of its own, under `environment` (undefined removes a
 * variable): the modules read their configuration as a function on AWS would. Import the
 * SDK commands to mock inside `load` too, so that they are the ones the loaded modules send.
 */
export async function loadWithEnvironment<T>(environment: Record<string, string | undefined>, load: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    let loaded: { value: T } | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = { value: await load() };
    });
    return (loaded as { value: T }).value;
  } finally {
    process.env = saved;
  }
}

/** As a function on AWS reads its pepper: no OTP_PEPPER, the pepper secret's ARN instead. */
export const loadWithPepperSecret = <T>(load: () => Promise<T>): Promise<T> =>
  loadWithEnvironment({ OTP_PEPPER: undefined, OTP_PEPPER_SECRET_ARN: PEPPER_SECRET_ARN }, load);
