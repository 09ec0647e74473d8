import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Configuration every test process starts with; functions/shared/config.ts parses it at load.
process.env.TABLE_NAME ??= 'mfa-otp-test';
process.env.OTP_PEPPER ??= 'test-pepper-0123456789abcdef';
process.env.OTP_SENDER ??= 'sns';
process.env.OTP_TOPIC_ARN ??= 'arn:aws:sns:us-east-1:123456789012:otp-delivery';
process.env.TOKEN_SIGNER ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.TOKEN_LOCAL_KEY_FILE ??= join(tmpdir(), `mfa-otp-test-key-${process.pid}.json`);
process.env.SDK_MAX_ATTEMPTS ??= '1';
