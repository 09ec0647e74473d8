import type { Channel } from '../../functions/domain/brand-config';
import type { IdentifierType } from '../../functions/domain/identifiers';
import { maskDestination, maskEmail, maskIdentifier, maskPhone } from '../../functions/shared/logger';

describe('maskPhone', () => {
  it('keeps the country and area code and the last two digits', () => {
    expect(maskPhone('+18767431754')).toBe('+1876*****54');
  });

  it('keeps the length of longer numbers', () => {
    expect(maskPhone('+447400123456')).toBe('+4474******56');
  });

  it('hides five digits of a number from a short numbering plan, showing fewer of the rest', () => {
    expect(maskPhone('+6834002')).toBe('+6*****2');
    expect(maskPhone('+29022158')).toBe('+29*****8');
    expect(maskPhone('+3581234567')).toBe('+358*****67');
  });

  it('masks a short value completely', () => {
    expect(maskPhone('+123456')).toBe('*******');
    expect(maskPhone('')).toBe('');
  });
});

describe('maskEmail', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j*******@example.com');
  });

  it('masks a one-letter local part whole, so that the address does not come out as it went in', () => {
    expect(maskEmail('a@b.co')).toBe('*@b.co');
  });

  it('masks at the last @', () => {
    expect(maskEmail('"a@b"@example.com')).toBe('"****@example.com');
  });

  it('masks a value without a local part completely', () => {
    expect(maskEmail('@example.com')).toBe('************');
    expect(maskEmail('not-an-email')).toBe('************');
  });
});

describe('maskDestination', () => {
  it.each<Channel>(['SMS', 'WHATSAPP', 'ZALO'])('masks a %s destination as a phone number', (channel) => {
    expect(maskDestination(channel, '+18767431754')).toBe('+1876*****54');
  });

  it('masks an EMAIL destination as an e-mail address', () => {
    expect(maskDestination('EMAIL', 'jane@example.com')).toBe('j***@example.com');
  });
});

describe('maskIdentifier', () => {
  it('masks a MOBILE identifier as a phone number', () => {
    expect(maskIdentifier({ type: 'MOBILE', value: '+18767431754' })).toBe('+1876*****54');
  });

  it('masks an EMAIL identifier as an e-mail address', () => {
    expect(maskIdentifier({ type: 'EMAIL', value: 'jane@example.com' })).toBe('j***@example.com');
  });

  it.each<IdentifierType>(['USERNAME', 'EXTERNALID'])('keeps only the length of a %s', (type) => {
    expect(maskIdentifier({ type, value: 'jane_doe' })).toBe('<8 chars>');
  });
});
