export const LOCAL_TABLE_NAME = 'mfa-otp-local';
