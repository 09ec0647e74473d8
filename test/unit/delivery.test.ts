import { type BrandConfigInput, type Channel } from '../../functions/domain/brand-config';
import { parseBrandConfig } from '../../functions/domain/brand-config-schema';
import { renderMessage, resolveDelivery } from '../../functions/domain/delivery';
import type { Identifier } from '../../functions/domain/identifiers';

const brand = (overrides: Partial<BrandConfigInput> = {}) => parseBrandConfig({ brand: 'acme', ...overrides });
const every = () => true;
const only = (...channels: Channel[]) => (channel: Channel) => channels.includes(channel);
const mobile: Identifier = { type: 'MOBILE', value: '+18767431754' };
const email: Identifier = { type: 'EMAIL', value: 'jane@example.com' };
const username: Identifier = { type: 'USERNAME', value: 'jane' };
const externalId: Identifier = { type: 'EXTERNALID', value: 'ext-1' };

describe('resolveDelivery', () => {
  it('sends to a MOBILE identifier itself by SMS', () => {
    expect(resolveDelivery(mobile, brand(), undefined, undefined, every)).toEqual({ channel: 'SMS', to: '+18767431754' });
  });

  it('sends to an EMAIL identifier itself by EMAIL', () => {
    expect(resolveDelivery(email, brand(), undefined, undefined, every)).toEqual({ channel: 'EMAIL', to: 'jane@example.com' });
  });

  it('sends a USERNAME to the customer mobile by default', () => {
    const customer = { mobile: '+18767431754', email: 'jane@example.com' };

    expect(resolveDelivery(username, brand(), customer, undefined, every)).toEqual({ channel: 'SMS', to: '+18767431754' });
  });

  it('sends a USERNAME to the customer email when the brand prefers EMAIL', () => {
    const customer = { mobile: '+18767431754', email: 'jane@example.com' };
    const config = brand({ otpSendForExternalId: 'EMAIL' });

    expect(resolveDelivery(username, config, customer, undefined, every)).toEqual({ channel: 'EMAIL', to: 'jane@example.com' });
  });

  it('falls back to the email when the customer has no mobile', () => {
    expect(resolveDelivery(username, brand(), { email: 'jane@example.com' }, undefined, every)).toEqual({
      channel: 'EMAIL',
      to: 'jane@example.com',
    });
  });

  it('falls back to the mobile when the brand prefers EMAIL and the customer has none', () => {
    const config = brand({ otpSendForExternalId: 'EMAIL' });

    expect(resolveDelivery(username, config, { mobile: '+18767431754' }, undefined, every)).toEqual({
      channel: 'SMS',
      to: '+18767431754',
    });
  });

  it('sends an EXTERNALID to the customer mobile when external ID login is enabled', () => {
    const config = brand({ externalIdLoginEnabled: true });

    expect(resolveDelivery(externalId, config, { mobile: '+18767431754' }, undefined, every)).toEqual({
      channel: 'SMS',
      to: '+18767431754',
    });
  });

  it('refuses EXTERNALID with 3005 when external ID login is disabled, even for a known customer', () => {
    const attempt = () => resolveDelivery(externalId, brand(), { mobile: '+18767431754' }, undefined, every);

    expect(attempt).toThrow(expect.objectContaining({ httpStatus: 403, code: 3005 }));
  });

  it.each([username, externalId])('refuses an unknown customer ($type) with 1515', (identifier) => {
    const config = brand({ externalIdLoginEnabled: true });

    expect(() => resolveDelivery(identifier, config, undefined, undefined, every)).toThrow(
      expect.objectContaining({ httpStatus: 400, code: 1515 }),
    );
  });

  it("sends to the customer's email when the brand does not send to its mobile's country", () => {
    const customer = { mobile: '+447911123456', email: 'jane@example.com' };

    expect(resolveDelivery(username, brand({ allowedCountries: ['US'] }), customer, undefined, every)).toEqual({
      channel: 'EMAIL',
      to: 'jane@example.com',
    });
  });

  it("refuses with 1540 a customer whose only contact is a number of a country the brand does not send to", () => {
    expect(() => resolveDelivery(externalId, brand({ externalIdLoginEnabled: true, allowedCountries: ['US', 'CA'] }), { mobile: '+447911123456' }, undefined, every)).toThrow(
      expect.objectContaining({ httpStatus: 400, code: 1540 }),
    );
  });

  it("sends to the customer's mobile when its country is allowed, with the country its check parsed", () => {
    expect(resolveDelivery(username, brand({ allowedCountries: ['JM'] }), { mobile: '+18767431754' }, undefined, every)).toEqual({
      channel: 'SMS',
      to: '+18767431754',
      country: 'JM',
    });
  });

  it('refuses a customer with neither mobile nor email with 1540', () => {
    expect(() => resolveDelivery(username, brand(), {}, undefined, every)).toThrow(
      expect.objectContaining({ httpStatus: 400, code: 1540 }),
    );
  });

  it.each(['WHATSAPP', 'ZALO'] as const)('sends a mobile by the brand sub-channel %s', (subChannel) => {
    const config = brand({ mobileSubChannel: subChannel });

    expect(resolveDelivery(mobile, config, undefined, undefined, every)).toEqual({ channel: subChannel, to: '+18767431754' });
  });

  it('sends by SMS instead of the sub-channel when fallbackChannel=SMS is allowed', () => {
    const config = brand({ mobileSubChannel: 'WHATSAPP' });

    expect(resolveDelivery(mobile, config, undefined, 'SMS', every)).toEqual({ channel: 'SMS', to: '+18767431754' });
  });

  it('refuses fallbackChannel=SMS with 1603 when the brand allows no fallback', () => {
    const config = brand({ mobileSubChannel: 'WHATSAPP', fallbackChannels: [] });

    expect(() => resolveDelivery(mobile, config, undefined, 'SMS', every)).toThrow(
      expect.objectContaining({ httpStatus: 400, code: 1603 }),
    );
  });

  it('ignores fallbackChannel for an e-mail destination', () => {
    const config = brand({ fallbackChannels: [] });

    expect(resolveDelivery(email, config, undefined, 'SMS', every)).toEqual({ channel: 'EMAIL', to: 'jane@example.com' });
  });

  it('refuses a sub-channel the sender cannot deliver with 1603', () => {
    const config = brand({ mobileSubChannel: 'ZALO' });

    expect(() => resolveDelivery(mobile, config, undefined, undefined, only('SMS'))).toThrow(
      expect.objectContaining({ httpStatus: 400, code: 1603 }),
    );
  });

  it('refuses EMAIL with 1603 when the sender cannot deliver it', () => {
    expect(() => resolveDelivery(email, brand(), undefined, undefined, only('SMS'))).toThrow(
      expect.objectContaining({ code: 1603 }),
    );
  });
});

describe('renderMessage', () => {
  it('puts the OTP into the brand template for the channel', () => {
    const config = brand({ templates: { SMS: 'Acme code: {otp}', EMAIL: 'Mail {otp}' } });

    expect(renderMessage(config, 'SMS', '012345')).toBe('Acme code: 012345');
    expect(renderMessage(config, 'EMAIL', '012345')).toBe('Mail 012345');
  });

  it('replaces every {otp} and {minutes}', () => {
    const config = brand({ otpValidityMinutes: 7, templates: { SMS: '{otp} / {otp} for {minutes} min' } });

    expect(renderMessage(config, 'SMS', '4321')).toBe('4321 / 4321 for 7 min');
  });

  it.each(['SMS', 'EMAIL', 'WHATSAPP', 'ZALO'] as const)('uses a default %s template that carries the OTP', (channel) => {
    const text = renderMessage(brand(), channel, '987654');

    expect(text).toContain('987654');
    expect(text).not.toContain('{otp}');
    expect(text).not.toContain('{minutes}');
  });

  it('falls back to the default for a channel the brand has no template for', () => {
    const config = brand({ templates: { EMAIL: 'Mail {otp}' } });

    expect(renderMessage(config, 'SMS', '555000')).toBe('555000 is your verification code. Do not share it with anyone.');
  });
});
