import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Answer } from './api-events';
import { captureLogs, type LogCapture } from './log-capture';
import { otpOf, PHONE } from './otp-generate';

/** What no log line may carry. */
export interface Watched {
  /** OTPs, found as whole numbers only. */
  otps?: readonly string[];
  /** Mobile numbers, found in any spelling; their masked form (+1876*****54) is fine. */
  phones?: readonly string[];
  /** E-mail addresses, found in any case. */
  emails?: readonly string[];
  /** Usernames and external IDs, found as whole words. */
  identifiers?: readonly string[];
  /** Tokens, refresh keys and secrets, found anywhere. */
  secrets?: readonly string[];
}

// Shorter values than these turn up in timestamps, request IDs and counters by chance.
const MIN_OTP_DIGITS = 6;
const MIN_PHONE_DIGITS = 7;
const MIN_IDENTIFIER_LENGTH = 4;
const MIN_SECRET_LENGTH = 8;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeNumber = (digits: string) => new RegExp(`(?<!\\d)${digits}(?!\\d)`);
// A 6-digit OTP may sit by chance between the letters of a hex ID (a request ID, a brand):
// it counts only as a word of its own.
const wholeWord = (text: string, flags = '') => new RegExp(`(?<![0-9A-Za-z])${escapeRegExp(text)}(?![0-9A-Za-z])`, flags);

/**
 * Every way a number may be written: as given, in E.164 with and without its +, its national
 * number, and its national and international formats. A number without a country code is
 * read as the fixtures' brands read it, in the US.
 */
export function phoneSpellings(phone: string): string[] {
  const spellings = new Set([phone, phone.replace(/\D/g, '')]);
  const parsed = parsePhoneNumberFromString(phone, 'US');
  if (parsed) {
    for (const spelling of [parsed.number, parsed.number.slice(1), parsed.nationalNumber, parsed.formatNational(), parsed.formatInternational()]) {
      spellings.add(spelling);
    }
  }
  return [...spellings].filter((spelling) => spelling.replace(/\D/g, '').length >= MIN_PHONE_DIGITS);
}

interface Found {
  what: string;
  /** Where the value starts in the line. */
  at: number;
}

/** Finds a watched value in a line. */
type Probe = (line: string) => Found | undefined;

const searching = (what: string, search: (line: string) => number): Probe => (line) => {
  const at = search(line);
  return at >= 0 ? { what, at } : undefined;
};

// Every run of six or more digits standing as a word of its own: where an OTP would be.
const STANDALONE_DIGITS = /(?<![0-9A-Za-z])\d{6,}(?![0-9A-Za-z])/g;

/** One probe for any number of OTPs: a line's standalone digit runs looked up in a set. */
function otpProbe(otps: ReadonlySet<string>): Probe {
  return (line) => {
    for (const match of line.matchAll(STANDALONE_DIGITS)) {
      if (otps.has(match[0])) return { what: `the OTP ${match[0]}`, at: match.index };
    }
    return undefined;
  };
}

function probes(watched: Watched): Probe[] {
  const list: Probe[] = [];
  const otps = new Set((watched.otps ?? []).filter((otp) => /^\d+$/.test(otp) && otp.length >= MIN_OTP_DIGITS));
  if (otps.size > 0) list.push(otpProbe(otps));
  for (const phone of new Set([PHONE, ...(watched.phones ?? [])])) {
    for (const spelling of phoneSpellings(phone)) {
      const pattern = /^\d+$/.test(spelling) ? wholeNumber(spelling) : new RegExp(escapeRegExp(spelling));
      list.push(searching(`the number ${phone} spelled ${spelling}`, (line) => line.search(pattern)));
    }
  }
  for (const email of new Set(watched.emails ?? [])) {
    const lower = email.trim().toLowerCase();
    list.push(searching(`the address ${email}`, (line) => line.toLowerCase().indexOf(lower)));
  }
  for (const identifier of new Set(watched.identifiers ?? [])) {
    if (identifier.length < MIN_IDENTIFIER_LENGTH) continue;
    const pattern = wholeWord(identifier, 'i');
    list.push(searching(`the identifier ${identifier}`, (line) => line.search(pattern)));
  }
  for (const secret of new Set(watched.secrets ?? [])) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    list.push(searching(`the secret ${secret.slice(0, 12)}…`, (line) => line.indexOf(secret)));
  }
  return list;
}

const excerpt = (line: string, at: number) => {
  const start = Math.max(0, at - 120);
  const text = line.slice(start, at + 120).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${text}${at + 120 < line.length ? '…' : ''}`;
};

/**
 * One entry for each line and each value it must not carry, naming both: the fixture PHONE
 * is always watched, so that no test has to remember the number every fixture uses.
 */
export function leaksIn(lines: readonly string[], watched: Watched = {}): string[] {
  const list = probes(watched);
  const leaks: string[] = [];
  for (const line of lines) {
    for (const probe of list) {
      const found = probe(line);
      if (found) leaks.push(`${found.what} in: ${excerpt(line, found.at)}`);
    }
  }
  return leaks;
}

/** The OTP of every message published on the mock, those whose publish failed included. */
export const publishedOtps = (sns: AwsClientStub<SNSClient>): string[] =>
  sns.commandCalls(PublishCommand).map((call) => otpOf(call.args[0].input));

/** The token and the refresh key an answer issued, if any. */
export function issuedIn(answer: Answer): string[] {
  const auth = answer.body.auth as { token?: unknown; key?: unknown } | null | undefined;
  return [auth?.token, auth?.key].filter((value): value is string => typeof value === 'string');
}

/**
 * Captures every line written in each test of the enclosing block, keeping the output quiet,
 * and fails the test if a line carries what `watched` lists once the test is over. Call
 * the returned function for the current test's capture.
 */
export function scanLogsOfEachTest(watched: () => Watched = () => ({})): () => LogCapture {
  let current: LogCapture | undefined;
  beforeEach(() => {
    current = captureLogs();
  });
  afterEach(() => {
    const logs = current;
    current = undefined;
    if (!logs) return;
    logs.restore();
    expect(leaksIn(logs.lines(), watched())).toEqual([]);
  });
  return () => {
    if (!current) throw new Error('no capture outside a test');
    return current;
  };
}
