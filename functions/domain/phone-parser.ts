// The one entry into libphonenumber, required lazily by identifiers.ts. The function
// construct bundles it apart (phone-parser.js beside index.js), so a function neither
// compiles nor evaluates libphonenumber until a number needs parsing.
export { parsePhoneNumberFromString } from 'libphonenumber-js';
