import { asciiLowerAddress } from '../inbound/case-fold.js';
/**
 * Which client (organisation) a requester address belongs to. The agreement's "client" is the
 * company: three people at one client are one client for the special-circumstances rule and the
 * reports. A configured client names its domains and single addresses; an unknown sender is
 * grouped by its domain, except at public mail providers, where each address is its own client.
 */
export interface ClientRule {
  name: string;
  domains: readonly string[];
  addresses: readonly string[];
  language: 'tr' | 'en';
  reportRecipients: readonly string[];
  /** A policy calendar whose zone is the client's day (for "the same day"). */
  calendar?: string | undefined;
  /** Acknowledgements per window to each of its domains, when not the configured default for clients. */
  ackPerDomainCap?: number | undefined;
}

export interface ClientIdentity {
  /** Stable key: `client:<name>`, `domain:<domain>` or `address:<address>`. */
  key: string;
  /** What the reports show. */
  name: string;
  /** Every requester address that is this client: these addresses, or any address at these domains. */
  addresses: string[];
  domains: string[];
  rule: ClientRule | null;
}

/** Public mail providers: their users are unrelated people, each one their own client. */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.com.tr', 'hotmail.com', 'hotmail.com.tr', 'live.com', 'msn.com',
  'yahoo.com', 'yahoo.com.tr', 'ymail.com', 'yandex.com', 'yandex.com.tr', 'yandex.ru', 'icloud.com', 'me.com', 'mac.com',
  'aol.com', 'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'mail.ru', 'proton.me', 'protonmail.com', 'zoho.com',
  'mynet.com', 'superonline.com', 'ttmail.com',
]);

export function domainOfAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return asciiLowerAddress(at < 0 ? address : address.slice(at + 1));
}

/** A lookup built once per configuration. */
export function clientDirectory(rules: readonly ClientRule[]): (address: string) => ClientIdentity {
  const byAddress = new Map<string, ClientRule>();
  const byDomain = new Map<string, ClientRule>();
  for (const rule of rules) {
    for (const a of rule.addresses) byAddress.set(asciiLowerAddress(a), rule);
    for (const d of rule.domains) byDomain.set(asciiLowerAddress(d), rule);
  }
  const configured = (rule: ClientRule): ClientIdentity => ({
    key: `client:${rule.name}`, name: rule.name, rule,
    addresses: rule.addresses.map(asciiLowerAddress), domains: rule.domains.map(asciiLowerAddress),
  });
  return (raw) => {
    const address = asciiLowerAddress(raw.trim());
    const domain = domainOfAddress(address);
    const rule = byAddress.get(address) ?? byDomain.get(domain);
    if (rule) return configured(rule);
    if (PUBLIC_MAIL_DOMAINS.has(domain) || domain === '') {
      return { key: `address:${address}`, name: address, addresses: [address], domains: [], rule: null };
    }
    // Unknown organisation: everyone at its domain.
    return { key: `domain:${domain}`, name: domain, addresses: [], domains: [domain], rule: null };
  };
}

const directories = new WeakMap<object, (address: string) => ClientIdentity>();

/** The client directory of a (frozen) configuration, built once. */
export function clientsOf(config: { clients: readonly ClientRule[] }): (address: string) => ClientIdentity {
  let found = directories.get(config);
  if (!found) {
    found = clientDirectory(config.clients);
    directories.set(config, found);
  }
  return found;
}
