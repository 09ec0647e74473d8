export const PEPPER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:otp-pepper';

/**
 * Runs `load` in a module registry of its own, with the environment of a function on
 * AWS: no OTP_PEPPER, the pepper secret's ARN instead. Import the SDK commands to mock
 * inside `load` too, so that they are the ones the loaded modules send.
 */
export async function loadWithPepperSecret<T>(load: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  delete process.env.OTP_PEPPER;
  process.env.OTP_PEPPER_SECRET_ARN = PEPPER_SECRET_ARN;
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
