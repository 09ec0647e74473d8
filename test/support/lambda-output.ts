/**
 * Imported first by a test file that reads the output as Lambda gets it: without
 * POWERTOOLS_DEV (test/setup-env.ts sets it for every other file, and sets it again
 * before the next), Powertools writes each record as one JSON line on stdout, and
 * Metrics writes at all.
 */
delete process.env.POWERTOOLS_DEV;
