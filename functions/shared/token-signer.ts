import type { TokenSigner } from '../domain/token-signer';
import { kms } from './aws-clients';
import { config, type Config } from './config';
import { createKmsTokenSigner } from './kms-token-signer';
import { createLocalTokenSigner } from './local-token-signer';

type SignerConfig = Pick<Config, 'TOKEN_SIGNER' | 'TOKEN_KMS_KEY_ID' | 'TOKEN_LOCAL_KEY_FILE'>;

export function createTokenSigner(signerConfig: SignerConfig): TokenSigner {
  if (signerConfig.TOKEN_SIGNER === 'local') return createLocalTokenSigner(signerConfig.TOKEN_LOCAL_KEY_FILE);
  if (!signerConfig.TOKEN_KMS_KEY_ID) {
    throw new Error('Invalid configuration: TOKEN_KMS_KEY_ID must be set when TOKEN_SIGNER is kms');
  }
  return createKmsTokenSigner(kms, signerConfig.TOKEN_KMS_KEY_ID);
}

let instance: TokenSigner | undefined;
const chosen = (): TokenSigner => (instance ??= createTokenSigner(config));

/**
 * The signer the configuration names. Built on first use, so a function that never
 * signs neither needs TOKEN_KMS_KEY_ID nor touches the local key file.
 */
export const tokenSigner: TokenSigner = {
  sign: async (claims) => chosen().sign(claims),
  publicJwks: async () => chosen().publicJwks(),
};
