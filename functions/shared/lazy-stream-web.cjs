// Stands in for node:stream/web in the function bundles (esbuild alias, lib/service-function.ts).
// middy imports ReadableStream only to check a streamed response, which no route sends;
// loading node:stream/web at start would cost every cold start a few milliseconds.
Object.defineProperty(exports, 'ReadableStream', { enumerable: true, get: () => require('stream/web').ReadableStream });
