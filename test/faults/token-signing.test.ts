import { generateKeyPairSync } from 'node:crypto';
import { apiEvent, invoke } from '../support/api-events';
import { COMMON_OUTAGES } from '../support/fault-injection';
import { loadWithEnvironment, TOKEN_KMS_KEY_ID } from '../support/isolated-modules';
import { scanLogsOfEachTest } from '../support/log-scan';
import { generateBody, issuedFixture, outcome, refreshKeysOf, sessionItem, type OtpFixture } from '../support/otp-generate';

type KmsSdk = typeof import('@aws-sdk/client-kms');
type Clients = typeof import('../../functions/shared/aws-clients');

interface OnAws {
  handler: unknown;
  kms: Clients['kms'];
  /** From the same module registry as the handler, so that the mock matches its commands. */
  commands: { GetPublicKey: KmsSdk['GetPublicKeyCommand']; Sign: KmsSdk['SignCommand'] };
}

const OTP = '482913';
const PUBLIC_KEY_DER = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });

/** otp/validate as it loads on AWS: its tokens signed by KMS. */
const loadOnAws = (): Promise<OnAws> =>
  loadWithEnvironment({ TOKEN_SIGNER: 'kms', TOKEN_KMS_KEY_ID }, async () => {
    const { handler } = (await import('../../functions/otp-validate')) as { handler: unknown };
    const { kms } = await import('../../functions/shared/aws-clients');
    const { GetPublicKeyCommand, SignCommand } = await import('@aws-sdk/client-kms');
    return { handler, kms, commands: { GetPublicKey: GetPublicKeyCommand, Sign: SignCommand } };
  });

const OUTAGES: Record<string, () => Error> = {
  ...COMMON_OUTAGES,
  KMSInternalException: () => Object.assign(new Error('Internal error'), { name: 'KMSInternalException', $fault: 'server' }),
  KMSInvalidStateException: () => Object.assign(new Error('key is pending import'), { name: 'KMSInvalidStateException', $fault: 'client' }),
};

/** A session holding OTP, as otp/generate stores it. */
const issued = (): Promise<OtpFixture> => issuedFixture({ otp: OTP });

describe('otp/validate when KMS cannot sign the token', () => {
  scanLogsOfEachTest(() => ({ otps: [OTP] }));
  let signer: { restore(): void } | undefined;

  afterEach(() => {
    signer?.restore();
    signer = undefined;
    jest.restoreAllMocks();
  });

  describe.each(['GetPublicKey', 'Sign'] as const)('when KMS %s fails', (failing) => {
    it.each(Object.entries(OUTAGES))('answers 503/1503 with Retry-After for %s, writes no refresh key and leaves the OTP as it was', async (_name, fault) => {
      const { handler, kms, commands } = await loadOnAws();
      const { mockClient } = await import('aws-sdk-client-mock');
      const kmsMock = mockClient(kms);
      signer = kmsMock;
      kmsMock.on(commands.GetPublicKey).resolves({ KeySpec: 'ECC_NIST_P256', PublicKey: PUBLIC_KEY_DER });
      if (failing === 'Sign') kmsMock.on(commands.Sign).rejects(fault());
      else kmsMock.on(commands.GetPublicKey).rejects(fault());
      const fixture = await issued();
      const before = await sessionItem(fixture.session);

      const answer = await invoke(handler, apiEvent({ path: '/auth/v1/mfa/otp/validate', body: generateBody(fixture, { otp: OTP }), caller: { brand: fixture.brand.brand } }));

      expect(kmsMock.calls().filter((call) => call.args[0] instanceof commands[failing])).toHaveLength(1);
      expect(outcome(answer)).toEqual([503, 1503]);
      expect(answer.headers['Retry-After']).toBe('1');
      expect(await sessionItem(fixture.session)).toEqual(before);
      expect(await refreshKeysOf(fixture.brand.brand)).toEqual([]);
    });
  });
});
