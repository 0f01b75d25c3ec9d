/**
 * Public mail services: two people on gmail.com are not colleagues, so a shared domain there
 * proves nothing.
 */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'hotmail.com', 'hotmail.com.tr', 'outlook.com', 'outlook.com.tr', 'live.com', 'msn.com',
  'yahoo.com', 'ymail.com', 'yandex.com', 'yandex.ru', 'yandex.com.tr', 'icloud.com', 'me.com', 'aol.com',
  'protonmail.com', 'proton.me', 'gmx.com', 'gmx.de', 'mail.ru', 'mynet.com', 'zoho.com',
]);

/** True when both addresses are at the same organisation's own domain (not a public service). */
export function sameOrganisation(a: string, b: string): boolean {
  const da = a.split('@')[1]?.toLowerCase();
  const db = b.split('@')[1]?.toLowerCase();
  return Boolean(da && da === db && !PUBLIC_MAIL_DOMAINS.has(da));
}
