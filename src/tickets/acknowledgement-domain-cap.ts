import { clientsOf, type ClientRule } from './client-of.js';

/**
 * How many acknowledgements one domain gets per window (issue 21, backscatter). An unknown domain
 * gets `limits.ackPerDomainCap`: forged senders spread over a stranger's domain stay bounded. A
 * configured client's domain is an organisation we serve, where many real people may write in one
 * morning: it gets its own `clients[].ackPerDomainCap`, else `limits.ackPerClientDomainCap`. The
 * per-address and global caps apply to everyone alike.
 *
 * `domain` is the acknowledgement key's domain: a domain, or at a public mail provider the
 * address itself (each address there is its own client, tickets/client-of.ts).
 */
export function acknowledgementDomainCap(
  config: { clients: readonly ClientRule[]; limits: { ackPerDomainCap: number; ackPerClientDomainCap: number } },
  domain: string,
): { cap: number; client: string | null } {
  const client = clientsOf(config)(domain.includes('@') ? domain : `@${domain}`).rule;
  if (!client) return { cap: config.limits.ackPerDomainCap, client: null };
  return { cap: client.ackPerDomainCap ?? config.limits.ackPerClientDomainCap, client: client.name };
}
