import {
  ChannelNotConfiguredError,
  ExternalIdLoginDisabledError,
  NoDestinationError,
  UserNotFoundError,
} from '../shared/errors';
import type { BrandConfig, Channel, FallbackChannel } from './brand-config';
import { inAllowedCountries, numberCountry, type Identifier } from './identifiers';
import type { Customer, OtpMessage } from './ports';

export interface Delivery {
  channel: Channel;
  /** E.164 number or e-mail address: also what the rate limit counts. */
  to: string;
  /** A number's country, where a parse already gave it (the request's own, or one checked against allowedCountries). */
  country?: string;
}

type Address = { kind: 'MOBILE' | 'EMAIL'; value: string; country?: string };

const DEFAULT_TEMPLATES: Record<Channel, string> = {
  SMS: '{otp} is your verification code. Do not share it with anyone.',
  EMAIL: 'Your verification code is {otp}. It expires in {minutes} minutes. Do not share it with anyone.',
  WHATSAPP: '{otp} is your verification code. Do not share it with anyone.',
  ZALO: '{otp} is your verification code. Do not share it with anyone.',
};

/** Step 4 of the spec: where the OTP goes, and by which channel. */
export function resolveDelivery(
  identifier: Identifier,
  config: BrandConfig,
  customer: Customer | undefined,
  fallback: FallbackChannel | undefined,
  supports: (channel: Channel) => boolean,
): Delivery {
  const address = destinationOf(identifier, config, customer);
  const channel = address.kind === 'EMAIL' ? 'EMAIL' : mobileChannel(config, fallback);
  if (!supports(channel)) throw new ChannelNotConfiguredError();
  return { channel, to: address.value, ...(address.country ? { country: address.country } : {}) };
}

const mobileAddress = (value: string, country: string | undefined): Address => ({ kind: 'MOBILE', value, ...(country ? { country } : {}) });

function destinationOf(
  identifier: Identifier,
  config: BrandConfig,
  customer: Customer | undefined,
): Address {
  if (identifier.type === 'MOBILE') return mobileAddress(identifier.value, identifier.country);
  if (identifier.type === 'EMAIL') return { kind: 'EMAIL', value: identifier.value };
  if (identifier.type === 'EXTERNALID' && !config.externalIdLoginEnabled) throw new ExternalIdLoginDisabledError();
  if (!customer) throw new UserNotFoundError();
  // A number of a country the brand does not send to is no contact: stored before the brand
  // limited its countries, or written by hand. It is parsed only when the brand limits them.
  const country = customer.mobile && config.allowedCountries?.length ? numberCountry(customer.mobile) : undefined;
  const byMobile = customer.mobile && inAllowedCountries(country, config) ? mobileAddress(customer.mobile, country) : undefined;
  const byEmail: Address | undefined = customer.email ? { kind: 'EMAIL', value: customer.email } : undefined;
  const address = config.otpSendForExternalId === 'EMAIL' ? (byEmail ?? byMobile) : (byMobile ?? byEmail);
  if (!address) throw new NoDestinationError();
  return address;
}

function mobileChannel(config: BrandConfig, fallback: FallbackChannel | undefined): Channel {
  if (!fallback) return config.mobileSubChannel ?? 'SMS';
  if (!config.fallbackChannels.includes(fallback)) throw new ChannelNotConfiguredError();
  return fallback;
}

/** The brand's template for the channel (or the default), with the OTP in place. */
export function renderMessage(config: BrandConfig, channel: Channel, otp: string): string {
  const template = config.templates[channel] ?? DEFAULT_TEMPLATES[channel];
  return template.replaceAll('{minutes}', String(config.otpValidityMinutes)).replaceAll('{otp}', otp);
}

/** What a delivery says, as the channel workers and the local outbox both receive it. */
export function deliveryFields(message: OtpMessage) {
  return {
    channel: message.channel,
    to: message.to,
    brand: message.brand,
    sessionId: message.sessionId,
    otp: message.otp,
    message: message.text,
  };
}
