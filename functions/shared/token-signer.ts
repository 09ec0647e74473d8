import type { TokenSigner } from '../domain/token-signing';
import { kms } from './aws-clients';
import { config, requireSetting, type Config } from './config';
import { createKmsTokenSigner } from './kms-token-signer';
import { createLocalTokenSigner } from './local-token-signer';

type SignerConfig = Pick<Config, 'TOKEN_SIGNER' | 'TOKEN_KMS_KEY_ID' | 'TOKEN_LOCAL_KEY_FILE'>;

export function createTokenSigner(signerConfig: SignerConfig): TokenSigner {
  if (signerConfig.TOKEN_SIGNER === 'local') return createLocalTokenSigner(signerConfig.TOKEN_LOCAL_KEY_FILE);
  return createKmsTokenSigner(kms, requireSetting('TOKEN_KMS_KEY_ID', signerConfig));
}

// Only the functions that sign or publish keys load this module: they fail at start, naming the variable.
if (config.TOKEN_SIGNER === 'kms') requireSetting('TOKEN_KMS_KEY_ID');

let instance: TokenSigner | undefined;
const chosen = (): TokenSigner => (instance ??= createTokenSigner(config));

/**
 * The signer the configuration names. Built on first use: importing it neither touches
 * the local key file nor asks KMS for anything.
 */
export const tokenSigner: TokenSigner = {
  sign: async (claims) => chosen().sign(claims),
  publicJwks: async () => chosen().publicJwks(),
};
