// The one entry into libphonenumber: required lazily by identifiers.ts, so that a bundle
// evaluates libphonenumber's code and metadata only when a number needs parsing, while
// esbuild still keeps only what this module re-exports.
export { parsePhoneNumberFromString } from 'libphonenumber-js';
