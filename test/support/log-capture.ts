const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export interface LogCapture {
  /** Everything written so far, one entry a call. */
  lines(): string[];
  text(): string;
  restore(): void;
}

/**
 * Captures what is written through the console and to stdout / stderr: the Powertools
 * logger writes through the global console when POWERTOOLS_DEV is set (test/setup-env.ts)
 * and through its own Console on process.stdout otherwise.
 */
export function captureLogs(): LogCapture {
  const captured: string[] = [];
  const record = (...args: unknown[]) => {
    captured.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  const spies = [
    ...METHODS.map((method) => jest.spyOn(console, method).mockImplementation(record)),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      record(String(chunk));
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      record(String(chunk));
      return true;
    }),
  ];
  return {
    lines: () => [...captured],
    text: () => captured.join('\n'),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
