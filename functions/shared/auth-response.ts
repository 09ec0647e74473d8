import type { APIGatewayProxyResult } from 'aws-lambda';
import type { TokenRole } from '../domain/tokens';
import { successResponse } from './http-response';

export interface AuthAnswer {
  token: string;
  /** The refresh key; null with a session (VIEW) token. */
  key: string | null;
  /** Set while the MFA session is open; null once it is closed. */
  sessionId: string | null;
  role: TokenRole;
}

/** The Capillary answer of token/generate and otp/validate: a token, and whom it is for. */
export function authResponse(answer: AuthAnswer): APIGatewayProxyResult {
  return successResponse({
    auth: { token: answer.token, key: answer.key },
    user: { appRegistered: false, sessionId: answer.sessionId, role: answer.role, userRegisteredForPassword: false },
  });
}
