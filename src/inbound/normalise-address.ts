/**
 * The form of an address the acknowledgement caps count by: ASCII letters lowercased (a mail
 * system may fold only those; non-ASCII local parts are left as written, never folded through a
 * locale, so 'İ' does not become 'i̇'), and a plus-tag dropped from the local part, because
 * `victim+1@` and `victim+2@` reach the same mailbox and a forger would otherwise get a fresh cap
 * for each tag. Only for counting: mail still goes to the address as written.
 */
export function normaliseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const domain = at < 0 ? '' : address.slice(at + 1);
  const plus = local.indexOf('+');
  // A local part that is only a tag ("+x@") keeps it: dropping it all would leave no mailbox.
  const mailbox = plus > 0 ? local.slice(0, plus) : local;
  const folded = `${mailbox}${at < 0 ? '' : '@'}${domain}`.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return folded;
}

/** The domain part of a normalised address ('' when it has none). */
export function domainOfNormalised(normalised: string): string {
  const at = normalised.lastIndexOf('@');
  return at < 0 ? '' : normalised.slice(at + 1);
}
