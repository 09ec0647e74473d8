import { maskPersonalData, searchPath } from '../../functions/shared/logger';

describe('maskPersonalData', () => {
  it('masks E.164 numbers and e-mail addresses anywhere in a string', () => {
    const masked = maskPersonalData('message', 'Invalid parameter: PhoneNumber Reason: +18767431754 is not valid; cc jane.doe@example.com');

    expect(masked).toBe('Invalid parameter: PhoneNumber Reason: +1876*****54 is not valid; cc j*******@example.com');
  });

  it.each([
    ['ab@c.io', 'a*@c.io'],
    ['a@b.co', '*@b.co'],
  ])('masks an address as short as %p', (address, masked) => {
    expect(maskPersonalData('to', address)).toBe(masked);
  });

  it.each([
    ['a seven-digit number, five of its digits', 'to +2481234 failed', 'to +2*****4 failed'],
    ['an address in capitals', 'cc JANE@EXAMPLE.COM', 'cc J***@EXAMPLE.COM'],
    ['an address in a stack', 'Error: no route to jane@example.com\n    at send (sender.js:1)', 'Error: no route to j***@example.com\n    at send (sender.js:1)'],
  ])('masks %s', (_label, text, masked) => {
    expect(maskPersonalData('message', text)).toBe(masked);
  });

  it('masks every occurrence, as an error stack repeats its message', () => {
    const masked = maskPersonalData('stack', 'Error: to +447911123456\n    at send (+447911123456)');

    expect(masked).toBe('Error: to +4479******56\n    at send (+4479******56)');
  });

  it('leaves a stack frame through a scoped package as it is', () => {
    const frame = '    at Socket.<anonymous> (/var/task/node_modules/@smithy/node-http-handler/dist-cjs/index.js:56:21)';

    expect(maskPersonalData('stack', frame)).toBe(frame);
  });

  it('leaves masked values, other strings and other types as they are', () => {
    expect(maskPersonalData('to', '+1876*****54')).toBe('+1876*****54');
    expect(maskPersonalData('correlation_id', '0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(maskPersonalData('code', 1503)).toBe(1503);
    const object = { a: 1 };
    expect(maskPersonalData('x', object)).toBe(object);
  });
});

describe('searchPath', () => {
  it('finds the API Gateway request ID of an event', () => {
    expect(searchPath('requestContext.requestId', { requestContext: { requestId: 'abc' } })).toBe('abc');
  });

  it('answers undefined for a path the event does not have', () => {
    expect(searchPath('requestContext.requestId', { requestContext: null })).toBeUndefined();
    expect(searchPath('requestContext.requestId', undefined)).toBeUndefined();
  });
});
