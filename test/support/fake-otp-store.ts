import { CHANNELS, type BrandConfig, type Channel } from '../../functions/domain/brand-config';
import type {
  CounterState,
  Customer,
  DiscardedOtp,
  OtpContext,
  OtpContextRequest,
  OtpMessage,
  OtpRecord,
  OtpSender,
  OtpStore,
  Session,
  WindowOpening,
} from '../../functions/domain/ports';

const customerKey = (brand: string, type: string, value: string) => `${brand}#${type}#${value}`;

/**
 * OtpStore in memory, with the conditions DynamoStore's conditional writes carry, so
 * domain tests see the same outcomes without AWS. Spy on a method to script a failure.
 */
export class FakeOtpStore implements OtpStore {
  readonly sessions = new Map<string, Session>();
  readonly brands = new Map<string, BrandConfig>();
  readonly customers = new Map<string, Customer>();
  readonly counters = new Map<string, CounterState>();
  /** Every readOtpContext request, in order. */
  readonly contextReads: OtpContextRequest[] = [];

  putCustomer(brand: string, type: string, value: string, customer: Customer): void {
    this.customers.set(customerKey(brand, type, value), customer);
  }

  async readOtpContext(request: OtpContextRequest): Promise<OtpContext> {
    this.contextReads.push(structuredClone(request));
    const context: OtpContext = {};
    const session = this.sessions.get(request.sessionId);
    if (session) context.session = structuredClone(session);
    const brand = request.brand ? this.brands.get(request.brand) : undefined;
    if (brand) context.brandConfig = brand;
    if (request.customer) {
      const { brand: owner, identifier } = request.customer;
      const customer = this.customers.get(customerKey(owner, identifier.type, identifier.value));
      if (customer) context.customer = { ...customer };
    }
    const counter = request.counterKey ? this.counters.get(request.counterKey) : undefined;
    if (counter) context.counter = { ...counter };
    return context;
  }

  async saveOtp(sessionId: string, otp: OtpRecord, now: number): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || session.expiresAt <= now) return false;
    session.otp = { ...otp };
    return true;
  }

  async discardOtp(sessionId: string, hash: string): Promise<DiscardedOtp> {
    const session = this.sessions.get(sessionId);
    const otp = session?.otp;
    if (!session || otp?.hash !== hash) return 'gone';
    delete session.otp;
    return otp.wrongTries > 0 ? 'tried' : 'untried';
  }

  /** As DynamoDB answers: a failed open returns the window it found (dynalite's answer, without it, is a test's to fake). */
  async openWindow(key: string, windowEnd: number, now: number, takeId: string): Promise<WindowOpening> {
    const current = this.counters.get(key);
    if (current && current.windowEnd > now) return { opened: false, current: { ...current, takes: [...current.takes] } };
    this.counters.set(key, { count: 1, windowEnd, takes: [takeId] });
    return { opened: true };
  }

  async countInWindow(key: string, max: number, now: number, takeId: string): Promise<CounterState | undefined> {
    const current = this.counters.get(key);
    if (!current || current.windowEnd <= now || current.count >= max || current.takes.includes(takeId)) return undefined;
    const counted = { count: current.count + 1, windowEnd: current.windowEnd, takes: [...current.takes, takeId] };
    this.counters.set(key, counted);
    return { ...counted };
  }

  async readCounter(key: string): Promise<CounterState | undefined> {
    const current = this.counters.get(key);
    return current ? { ...current } : undefined;
  }

  async refund(key: string, takeId: string): Promise<void> {
    const current = this.counters.get(key);
    if (current && current.takes.includes(takeId) && current.count > 0) {
      this.counters.set(key, { ...current, count: current.count - 1, takes: current.takes.filter((take) => take !== takeId) });
    }
  }
}

/** An OtpSender that keeps what it was asked to send. */
export class FakeOtpSender implements OtpSender {
  readonly sent: OtpMessage[] = [];

  constructor(private readonly channels: readonly Channel[] = CHANNELS) {}

  supports(channel: Channel): boolean {
    return this.channels.includes(channel);
  }

  async send(message: OtpMessage): Promise<void> {
    this.sent.push(message);
  }
}
