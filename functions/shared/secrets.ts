import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { secretsManager } from './aws-clients';

/** Secrets Manager values, cached in memory by Powertools Parameters, read through the service's own client. */
export const secrets = /* @__PURE__ */ new SecretsProvider({ awsSdkV3Client: secretsManager });
