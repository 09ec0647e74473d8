import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OtpMessage, OtpSender } from '../../functions/domain/ports';
import { OutboxOtpSender } from '../../functions/shared/outbox-otp-sender';

const message: OtpMessage = {
  channel: 'SMS',
  to: '+18767431754',
  brand: 'demo',
  sessionId: 'P-1',
  otp: '042424',
  text: '042424 is your verification code.',
  smsSenderId: 'DEMO',
};

describe('OutboxOtpSender', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per message, readable by its owner only, and echoes it', async () => {
    const file = join(dir, 'nested', 'outbox.jsonl');
    const echo = jest.fn();
    const sender = new OutboxOtpSender(file, echo);

    await sender.send(message);
    await sender.send({ ...message, channel: 'EMAIL', to: 'jane@example.com' });

    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { channel: 'SMS', to: '+18767431754', brand: 'demo', sessionId: 'P-1', otp: '042424', message: message.text, at: expect.any(String) },
      expect.objectContaining({ channel: 'EMAIL', to: 'jane@example.com' }),
    ]);
    expect(new Date(lines[0].at).toISOString()).toBe(lines[0].at);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(echo).toHaveBeenCalledTimes(2);
    expect(echo.mock.calls[0]?.[0]).toMatch(/^\[outbox\] \{/);
  });

  it('supports every channel', () => {
    const sender: OtpSender = new OutboxOtpSender(join(dir, 'outbox.jsonl'), () => undefined);

    expect(['SMS', 'EMAIL', 'WHATSAPP', 'ZALO'].every((channel) => sender.supports(channel as OtpMessage['channel']))).toBe(true);
  });
});
