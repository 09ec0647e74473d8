import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BrandConfig, Channel } from '../domain/brand-config';
import type {
  CounterState,
  Customer,
  DiscardedOtp,
  OtpContext,
  OtpContextRequest,
  OtpRecord,
  OtpStore,
  RefreshKeyRecord,
  Session,
  SessionStore,
  ValidateOtpStore,
  WindowOpening,
} from '../domain/ports';
import type { Identifier } from '../domain/identifiers';
import type { StoredCredential } from '../domain/credentials';
import type { OAuthIssuer } from '../domain/bearer-token';
import { sessionIdOf, tableKeys, ttlSeconds } from './table-keys';

type Item = Record<string, unknown>;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Every attribute of a session's OTP: removed together when it is discarded or consumed. */
const OTP_ATTRIBUTES = 'otpHash, otpExpiresAt, otpWrongTries, otpMaxTries, otpTries, otpChannel, otpCountry';

/** The update that stores an OTP: its optional attributes are removed where it has none. */
function otpUpdate(otp: OtpRecord): { expression: string; values: Item } {
  const sets = ['otpHash = :hash', 'otpExpiresAt = :expiresAt', 'otpWrongTries = :zero', 'otpMaxTries = :maxTries'];
  // A new OTP starts with no wrong tries, so with none of their IDs either.
  const removes: string[] = ['otpTries'];
  const values: Item = { ':hash': otp.hash, ':expiresAt': otp.expiresAt, ':zero': 0, ':maxTries': otp.maxTries };
  for (const [attribute, name, value] of [['otpChannel', ':channel', otp.channel], ['otpCountry', ':country', otp.country]] as const) {
    if (value === undefined) {
      removes.push(attribute);
    } else {
      sets.push(`${attribute} = ${name}`);
      values[name] = value;
    }
  }
  return { expression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`, values };
}

/** BatchGetItem still holding keys back after every retry: DynamoDB throttling part of a batch. */
class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
  /** As the SDK marks a throttled call: an outage the client may retry (dependency-errors.ts). */
  readonly $retryable = { throttling: true };

  constructor(readonly count: number) {
    super(`BatchGetItem left ${count} keys unprocessed`);
  }
}

/** Waits before asking again for unprocessed keys, as AWS advises: about 25 ms, then 50. */
const UNPROCESSED_BACKOFF_MS = [25, 50];

/** The document client the store expects: an attribute left undefined is not written. */
export function storeDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Reads and writes of every item in the table. Conditional writes carry the rules. */
export class DynamoStore implements OtpStore, SessionStore, ValidateOtpStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readOtpContext(request: OtpContextRequest): Promise<OtpContext> {
    const keys = new Map<string, string>([['session', tableKeys.session(request.sessionId)]]);
    if (request.brand) keys.set('brand', tableKeys.brand(request.brand));
    if (request.customer) keys.set('customer', customerKey(request.customer.brand, request.customer.identifier));
    if (request.counterKey) keys.set('counter', tableKeys.counter(request.counterKey));
    const items = await this.batchGet([...keys.values()]);
    const byName = (name: string) => items.get(keys.get(name) ?? '');
    const context: OtpContext = {};
    const session = unconsumedSession(byName('session'));
    if (session) context.session = session;
    const brand = byName('brand');
    if (brand) context.brandConfig = brand.config as BrandConfig;
    const customer = byName('customer');
    if (customer) context.customer = toCustomer(customer);
    const counter = byName('counter');
    if (counter) context.counter = toCounter(counter);
    return context;
  }

  async saveOtp(sessionId: string, otp: OtpRecord, now: number): Promise<boolean> {
    const update = otpUpdate(otp);
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.session(sessionId) },
        UpdateExpression: update.expression,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(consumedBy) AND expiresAt > :now',
        ExpressionAttributeValues: { ...update.values, ':now': now },
      }),
    );
  }

  async discardOtp(sessionId: string, hash: string): Promise<DiscardedOtp> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: tableKeys.session(sessionId) },
          UpdateExpression: `REMOVE ${OTP_ATTRIBUTES}`,
          ConditionExpression: 'otpHash = :hash',
          ExpressionAttributeValues: { ':hash': hash },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Number(Attributes?.otpWrongTries ?? 0) > 0 ? 'tried' : 'untried';
    } catch (error) {
      if (isConditionFailure(error)) return 'gone';
      throw error;
    }
  }

  async openWindow(key: string, windowEnd: number, now: number, takeId: string): Promise<WindowOpening> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: tableKeys.counter(key) },
          UpdateExpression: 'SET #count = :one, windowEnd = :windowEnd, #ttl = :ttl, takes = :take',
          ConditionExpression: 'attribute_not_exists(pk) OR windowEnd <= :now',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':windowEnd': windowEnd, ':ttl': ttlSeconds(windowEnd), ':now': now, ':take': new Set([takeId]) },
          // The open window comes back with the failed condition, for no further read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { opened: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = itemOfConditionFailure(error);
      return item ? { opened: false, current: toCounter(item) } : { opened: false };
    }
  }

  async countInWindow(key: string, max: number, now: number, takeId: string): Promise<CounterState | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: tableKeys.counter(key) },
          UpdateExpression: 'SET #count = #count + :one ADD takes :take',
          ConditionExpression: 'windowEnd > :now AND #count < :max AND NOT contains(takes, :takeId)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':now': now, ':max': max, ':take': new Set([takeId]), ':takeId': takeId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? toCounter(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async readCounter(key: string): Promise<CounterState | undefined> {
    const item = await this.get(tableKeys.counter(key));
    return item ? toCounter(item) : undefined;
  }

  async refund(key: string, takeId: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.counter(key) },
        UpdateExpression: 'SET #count = #count - :one DELETE takes :take',
        ConditionExpression: 'contains(takes, :takeId) AND #count > :zero',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':take': new Set([takeId]), ':takeId': takeId },
      }),
    );
  }

  async getBrandConfig(brand: string): Promise<BrandConfig | undefined> {
    const item = await this.get(tableKeys.brand(brand));
    return item?.config as BrandConfig | undefined;
  }

  async putBrandConfig(config: BrandConfig): Promise<void> {
    await this.put({ pk: tableKeys.brand(config.brand), config });
  }

  async getCredential(clientId: string): Promise<StoredCredential | undefined> {
    const item = await this.get(tableKeys.credential(clientId), false);
    if (!item) return undefined;
    return {
      clientId,
      brand: String(item.brand),
      scopes: (item.scopes as string[]) ?? [],
      secretDigest: String(item.secretDigest),
    };
  }

  async getOAuthIssuer(issuer: string): Promise<OAuthIssuer | undefined> {
    const item = await this.get(tableKeys.oauthIssuer(issuer), false);
    if (!item) return undefined;
    return { brand: String(item.brand), issuer, audience: String(item.audience), jwksUrl: String(item.jwksUrl) };
  }

  async putOAuthIssuer(registration: OAuthIssuer): Promise<void> {
    await this.put({ pk: tableKeys.oauthIssuer(registration.issuer), ...registration });
  }

  /** Stops trusting an issuer for `brand`; an issuer registered to another brand is left alone. */
  async deleteOAuthIssuer(issuer: string, brand: string): Promise<void> {
    await this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.oauthIssuer(issuer) },
        ConditionExpression: '#brand = :brand',
        ExpressionAttributeNames: { '#brand': 'brand' },
        ExpressionAttributeValues: { ':brand': brand },
      }),
    );
  }

  /** Deletes a credential; false when there was none under that ID. */
  async deleteCredential(clientId: string): Promise<boolean> {
    return this.conditional(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: tableKeys.credential(clientId) }, ConditionExpression: 'attribute_exists(pk)' }),
    );
  }

  async putCredential(credential: StoredCredential, createdAt: number): Promise<void> {
    await this.put({ pk: tableKeys.credential(credential.clientId), ...credential, createdAt });
  }

  async putCustomer(brand: string, identifier: Identifier, customer: Customer): Promise<void> {
    await this.put({ pk: customerKey(brand, identifier), brand, ...customer });
  }

  async createSession(session: Session): Promise<void> {
    const item = {
      pk: tableKeys.session(session.sessionId),
      brand: session.brand,
      identifierType: session.identifierType,
      identifierValue: session.identifierValue,
      ...(session.identifierCountry ? { identifierCountry: session.identifierCountry } : {}),
      deviceId: session.deviceId,
      expiresAt: session.expiresAt,
      ttl: ttlSeconds(session.expiresAt),
    };
    await this.createOnce(item);
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    return unconsumedSession(await this.get(tableKeys.session(sessionId)));
  }

  async recordWrongTry(sessionId: string, hash: string): Promise<boolean> {
    const key = tableKeys.session(sessionId);
    // The try's ID goes in with it: the SDK resending a write whose answer was lost would
    // otherwise count one wrong code twice, and the resend is told that it already landed.
    const tryId = randomBytes(16).toString('base64url');
    const counted = await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key },
        UpdateExpression: 'ADD otpWrongTries :one, otpTries :try',
        ConditionExpression: 'otpHash = :hash AND otpWrongTries < otpMaxTries AND NOT contains(otpTries, :tryId)',
        ExpressionAttributeValues: { ':one': 1, ':hash': hash, ':try': new Set([tryId]), ':tryId': tryId },
      }),
    );
    if (counted) return true;
    const item = await this.get(key);
    return item?.otpHash === hash && item.otpTries instanceof Set && item.otpTries.has(tryId);
  }

  async consumeOtp(sessionId: string, hash: string, now: number, consumedBy: string): Promise<boolean> {
    const key = tableKeys.session(sessionId);
    // The session item stays, closed (read as absent), until its TTL: the mark lets a
    // resent write whose first answer was lost tell that it was this request that won.
    const won = await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key },
        UpdateExpression: `SET consumedBy = :consumedBy REMOVE ${OTP_ATTRIBUTES}`,
        ConditionExpression: 'otpHash = :hash AND otpWrongTries < otpMaxTries AND otpExpiresAt > :now AND expiresAt > :now',
        ExpressionAttributeValues: { ':hash': hash, ':now': now, ':consumedBy': consumedBy },
      }),
    );
    return won || (await this.get(key))?.consumedBy === consumedBy;
  }

  async putRefreshKey(record: RefreshKeyRecord): Promise<void> {
    const { digest, ...attributes } = record;
    await this.createOnce({ pk: tableKeys.refreshKey(digest), ...attributes, ttl: ttlSeconds(record.expiresAt) });
  }

  async discardRefreshKey(record: RefreshKeyRecord): Promise<void> {
    await this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: tableKeys.refreshKey(record.digest) },
        ConditionExpression: '#sub = :sub AND expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#sub': 'sub' },
        ExpressionAttributeValues: { ':sub': record.sub, ':expiresAt': record.expiresAt },
      }),
    );
  }

  private async get(pk: string, consistent = true): Promise<Item | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: consistent }));
    return result.Item;
  }

  /**
   * Writes an item under a new random key, never over another. The key is not taken by
   * chance, so a failed condition is this very write, resent by the SDK after its answer
   * was lost, when the stored item is the one it wrote; otherwise the failure stands.
   */
  private async createOnce(item: Item & { pk: string }): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error) || !isDeepStrictEqual(await this.get(item.pk), item)) throw error;
    }
  }

  private async put(item: Item): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** Runs a conditional write; false when its condition did not hold. */
  private async conditional(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async batchGet(pks: string[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let pending: Array<{ pk: string }> = pks.map((pk) => ({ pk }));
    // BatchGetItem may leave keys unprocessed under load; ask again for those only, after
    // a jittered wait, and call it an outage (503) if they are still held back.
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) {
        const backoff = UNPROCESSED_BACKOFF_MS[round - 1];
        if (backoff === undefined) throw new UnprocessedKeysError(pending.length);
        await sleep(backoff / 2 + Math.random() * backoff);
      }
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.pk), item);
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as Array<{ pk: string }> | undefined) ?? [];
    }
    return found;
  }
}

function customerKey(brand: string, identifier: Identifier): string {
  return tableKeys.customer(brand, identifier.type, identifier.value);
}

/** A session item as the domain sees it: absent once a validation has consumed it. */
function unconsumedSession(item: Item | undefined): Session | undefined {
  return item && item.consumedBy === undefined ? toSession(item) : undefined;
}

function toSession(item: Item): Session {
  const session: Session = {
    sessionId: sessionIdOf(String(item.pk)),
    brand: String(item.brand),
    identifierType: item.identifierType as Session['identifierType'],
    identifierValue: String(item.identifierValue),
    deviceId: String(item.deviceId),
    expiresAt: Number(item.expiresAt),
  };
  if (typeof item.identifierCountry === 'string') session.identifierCountry = item.identifierCountry;
  if (typeof item.otpHash === 'string') {
    session.otp = {
      hash: item.otpHash,
      expiresAt: Number(item.otpExpiresAt),
      wrongTries: Number(item.otpWrongTries ?? 0),
      maxTries: Number(item.otpMaxTries),
      ...(typeof item.otpChannel === 'string' ? { channel: item.otpChannel as Channel } : {}),
      ...(typeof item.otpCountry === 'string' ? { country: item.otpCountry } : {}),
    };
  }
  return session;
}

function toCustomer(item: Item): Customer {
  const customer: Customer = {};
  if (typeof item.mobile === 'string') customer.mobile = item.mobile;
  if (typeof item.email === 'string') customer.email = item.email;
  return customer;
}

/**
 * The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure),
 * if any: the document client leaves it in DynamoDB's attribute-value form (dynalite never
 * returns one).
 */
function itemOfConditionFailure(error: unknown): Item | undefined {
  const item = (error as { Item?: Record<string, unknown> }).Item;
  if (!item || typeof item !== 'object') return undefined;
  // Every item's key is a string: as an attribute value it is an object ({ S: ... }).
  return typeof item.pk === 'string' ? item : unmarshall(item as Record<string, AttributeValue>);
}

function toCounter(item: Item): CounterState {
  const takes = item.takes instanceof Set ? [...(item.takes as Set<unknown>)].filter((take) => typeof take === 'string') : [];
  return { count: Number(item.count), windowEnd: Number(item.windowEnd), takes };
}
