import type { Config, Person } from '../config.js';

/** Who is who, from config. Addresses are already ASCII-lowercased by the config schema. */
export function staffWithRole(config: Config, ...roles: Person['role'][]): Person[] {
  return config.people.filter((p) => roles.includes(p.role));
}

export function findPerson(config: Config, address: string | null | undefined): Person | null {
  if (!address) return null;
  return config.people.find((p) => p.address === address) ?? null;
}

export function isOwnMailboxAddress(config: Config, address: string): boolean {
  return address === config.mailboxes.support.address || address === config.mailboxes.management.address;
}
