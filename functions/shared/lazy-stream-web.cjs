// Stands in for node:stream/web in the function bundles (esbuild alias, lib/service-function.ts).
// middy imports ReadableStream only to check a streamed response, which no route sends;
// loading node:stream/web at start would cost every cold start a few milliseconds. Each
// export is a getter (the bundle's interop helper copies a CommonJS module's own properties), and the list is
// node:stream/web's own, checked by test/unit/lazy-stream-web.test.ts.
const EXPORTS = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableByteStreamController', 'ReadableStreamDefaultController', 'TransformStream',
  'TransformStreamDefaultController', 'WritableStream', 'WritableStreamDefaultWriter',
  'WritableStreamDefaultController', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'TextEncoderStream',
  'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
];
for (const name of EXPORTS) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => require('stream/web')[name] });
}
