import {
  BrandMismatchError,
  DeviceMismatchError,
  InvalidSessionError,
  SessionIdentifierMismatchError,
  SessionMobileMismatchError,
} from '../shared/errors';
import type { Identifier } from './identifiers';
import type { Session } from './ports';

export interface SessionClaim {
  brand: string;
  identifier: Identifier;
  deviceId: string;
}

/** The identifier a session was opened for, as normalised then. */
export function sessionIdentifier(session: Session | undefined): Identifier | undefined {
  if (!session) return undefined;
  const { identifierType: type, identifierValue: value, identifierCountry: country } = session;
  return country ? { type, value, country } : { type, value };
}

/** Step 3 of the spec: the session exists, is unexpired, and was opened for this caller. */
export function assertSessionFor(session: Session | undefined, claim: SessionClaim, now: number): Session {
  if (!session || session.expiresAt <= now) throw new InvalidSessionError();
  if (session.brand !== claim.brand) throw new BrandMismatchError();
  if (session.identifierType !== claim.identifier.type || session.identifierValue !== claim.identifier.value) {
    throw claim.identifier.type === 'MOBILE' ? new SessionMobileMismatchError() : new SessionIdentifierMismatchError();
  }
  if (session.deviceId !== claim.deviceId) throw new DeviceMismatchError();
  return session;
}
