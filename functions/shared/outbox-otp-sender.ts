import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deliveryFields } from '../domain/delivery';
import type { OtpMessage, OtpSender } from '../domain/ports';

/**
 * Local development's stand-in for SNS: every message becomes one JSON line in the
 * outbox file and on the console, so a developer can read the OTP they were sent.
 */
export class OutboxOtpSender implements OtpSender {
  constructor(
    private readonly file: string,
    private readonly echo: (line: string) => void = (line) => console.log(line),
  ) {}

  supports(): boolean {
    return true;
  }

  async send(message: OtpMessage): Promise<void> {
    const line = JSON.stringify({ ...deliveryFields(message), at: new Date().toISOString() });
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${line}\n`, { mode: 0o600 });
    this.echo(`[outbox] ${line}`);
  }
}
