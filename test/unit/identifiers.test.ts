import { getCountries, getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import {
  identifierKey,
  isE164,
  normaliseAgainst,
  normaliseEmail,
  normaliseIdentifier,
  normaliseMobile,
  parseIdentifierType,
  type Identifier,
} from '../../functions/domain/identifiers';
import { InvalidDetailsError, InvalidIdentifierTypeError } from '../../functions/shared/errors';

describe('normaliseMobile', () => {
  it.each(['+1 (876) 743-1754', '18767431754', '+18767431754', ' +1 876 743 1754 ', '876-743-1754'])(
    'reads %p as +18767431754 with default country US',
    (spelling) => {
      expect(normaliseMobile(spelling, { defaultCountry: 'US' })).toBe('+18767431754');
    },
  );

  it.each(['+1 (876) 743-1754', '18767431754', '+18767431754'])(
    'reads %p as +18767431754 without a default country, as international digits',
    (spelling) => {
      expect(normaliseMobile(spelling)).toBe('+18767431754');
    },
  );

  it('reads digits without + in the default country, not as international digits', () => {
    expect(normaliseMobile('07400 123456', { defaultCountry: 'GB' })).toBe('+447400123456');
    expect(normaliseMobile('447400123456')).toBe('+447400123456');
  });

  it('refuses a national number that means nothing without a default country', () => {
    expect(() => normaliseMobile('8767431754')).toThrow(InvalidDetailsError);
  });

  it('keeps a number with + international whatever the default country', () => {
    expect(normaliseMobile('+44 7400 123456', { defaultCountry: 'US' })).toBe('+447400123456');
  });

  it('accepts a number of an allowed country', () => {
    expect(normaliseMobile('+447400123456', { allowedCountries: ['GB', 'US'] })).toBe('+447400123456');
  });

  it('refuses a number outside the allowed countries with 1519 naming identifierValue', () => {
    const attempt = () => normaliseMobile('+18767431754', { defaultCountry: 'US', allowedCountries: ['US'] });

    expect(attempt).toThrow(expect.objectContaining({ code: 1519, httpStatus: 400, field: 'identifierValue' }));
  });

  it('applies no country filter when allowedCountries is empty', () => {
    expect(normaliseMobile('+18767431754', { allowedCountries: [] })).toBe('+18767431754');
  });

  it.each(['', '   ', 'abc', '+1', '12', '+1 555 0100', '+999 123456789', '++18767431754', '1'.repeat(30)])(
    'refuses %p with 1519',
    (raw) => {
      expect(() => normaliseMobile(raw, { defaultCountry: 'US' })).toThrow(
        expect.objectContaining({ code: 1519, field: 'identifierValue' }),
      );
    },
  );

  // libphonenumber would take the number out of any text around it.
  it.each(['call +1 876 743 9010 now', '+18767439010abc', 'x+18767439010', 'tel:+18767439010', '(876) 743-9010 or so'])(
    'refuses a valid number inside other text, %p, with 1519',
    (raw) => {
      expect(() => normaliseMobile(raw, { defaultCountry: 'US' })).toThrow(
        expect.objectContaining({ code: 1519, field: 'identifierValue' }),
      );
    },
  );
});

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM \n')).toBe('jane.doe@example.com');
  });

  it.each(['', 'jane', 'jane@', '@example.com', 'jane@example', 'ja ne@example.com', 'jane@@example.com'])(
    'refuses %p with 1519',
    (raw) => {
      expect(() => normaliseEmail(raw)).toThrow(expect.objectContaining({ code: 1519, field: 'identifierValue' }));
    },
  );
});

describe('normaliseIdentifier', () => {
  it('normalises MOBILE with the brand options', () => {
    expect(normaliseIdentifier('MOBILE', '(876) 743-1754', { defaultCountry: 'US' })).toEqual({
      type: 'MOBILE',
      value: '+18767431754',
      country: 'JM',
    });
  });

  it('normalises EMAIL', () => {
    expect(normaliseIdentifier('EMAIL', ' JANE@example.com')).toEqual({ type: 'EMAIL', value: 'jane@example.com' });
  });

  it.each(['USERNAME', 'EXTERNALID'] as const)('trims %s but keeps its case', (type) => {
    expect(normaliseIdentifier(type, '  Jane_Doe ')).toEqual({ type, value: 'Jane_Doe' });
  });

  it.each(['USERNAME', 'EXTERNALID'] as const)('refuses a blank %s with 1519', (type) => {
    expect(() => normaliseIdentifier(type, '   ')).toThrow(expect.objectContaining({ code: 1519, field: 'identifierValue' }));
  });

  it('refuses a value over 320 characters whatever the type', () => {
    expect(() => normaliseIdentifier('USERNAME', 'a'.repeat(321))).toThrow(InvalidDetailsError);
    expect(normaliseIdentifier('USERNAME', 'a'.repeat(320)).value).toHaveLength(320);
  });
});

describe('normaliseAgainst', () => {
  const session: Identifier = { type: 'MOBILE', value: '+18767431754', country: 'JM' };

  it('answers the known identifier when the value is written exactly as it', () => {
    expect(normaliseAgainst('MOBILE', ' +18767431754 ', { defaultCountry: 'US' }, session)).toBe(session);
  });

  it('normalises afresh a value written another way', () => {
    expect(normaliseAgainst('MOBILE', '(876) 743-1754', { defaultCountry: 'US' }, session)).toEqual(session);
  });

  it('normalises afresh, and refuses, when the known number is outside the allowed countries', () => {
    expect(() => normaliseAgainst('MOBILE', '+18767431754', { allowedCountries: ['US'] }, session)).toThrow(InvalidDetailsError);
  });

  it('normalises afresh when the known number has no country and countries are restricted', () => {
    const withoutCountry: Identifier = { type: 'MOBILE', value: '+18767431754' };

    expect(normaliseAgainst('MOBILE', '+18767431754', { allowedCountries: ['JM'] }, withoutCountry)).toEqual(session);
  });

  it('normalises afresh a value of another type or another customer', () => {
    expect(() => normaliseAgainst('EMAIL', '+18767431754', {}, session)).toThrow(InvalidDetailsError);
    expect(normaliseAgainst('MOBILE', '+33612345678', {}, session)).toEqual({ type: 'MOBILE', value: '+33612345678', country: 'FR' });
  });

  it('gives what normaliseIdentifier gives for the example mobile number of every country', () => {
    for (const country of getCountries()) {
      const example = getExampleNumber(country as CountryCode, examples);
      if (!example) continue;
      const normalised = normaliseIdentifier('MOBILE', example.number, {});

      expect(isE164(normalised.value)).toBe(true);
      expect(normaliseIdentifier('MOBILE', normalised.value, {})).toEqual(normalised);
      expect(normaliseAgainst('MOBILE', normalised.value, {}, normalised)).toEqual(normaliseIdentifier('MOBILE', normalised.value, {}));
    }
  });

  it('never loads libphonenumber for a number written as the known one', async () => {
    let loads = 0;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('libphonenumber-js', () => {
        loads++;
        return jest.requireActual('libphonenumber-js');
      });
      const fresh = await import('../../functions/domain/identifiers');

      fresh.normaliseAgainst('MOBILE', '+18767431754', { defaultCountry: 'US' }, session);
      expect(loads).toBe(0);
      fresh.normaliseAgainst('MOBILE', '876 743 1754', { defaultCountry: 'US' }, session);
      expect(loads).toBe(1);
    });
    jest.dontMock('libphonenumber-js');
  });
});

describe('parseIdentifierType', () => {
  it.each(['MOBILE', 'EMAIL', 'USERNAME', 'EXTERNALID'])('accepts %s', (type) => {
    expect(parseIdentifierType(type)).toBe(type);
  });

  it.each(['mobile', 'PHONE', '', ' MOBILE', 7, null, undefined, ['MOBILE']])('refuses %p with 1546', (value) => {
    expect(() => parseIdentifierType(value)).toThrow(InvalidIdentifierTypeError);
  });
});

describe('identifierKey', () => {
  it('joins type and value with a bar', () => {
    expect(identifierKey({ type: 'MOBILE', value: '+18767431754' })).toBe('MOBILE|+18767431754');
  });
});
