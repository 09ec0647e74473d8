#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { InvalidContextError } from '../lib/stack-config';

try {
  buildApp(new App());
} catch (error) {
  // An operator's mistake in -c or cdk.json: its message says which key; a stack trace would bury it.
  if (!(error instanceof InvalidContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
