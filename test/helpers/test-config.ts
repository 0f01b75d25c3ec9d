import { DEFAULT_CONFIG_INPUT, parseConfig, type Config } from '../../src/config.js';

/** The built-in local setup (people, mailboxes, agreement policy) pointed at a test database. */
export function testConfig(databaseUrl: string, overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    ...structuredClone(DEFAULT_CONFIG_INPUT),
    database: { url: databaseUrl },
    tokenSecret: 'test-token-secret-0123456789',
    ...overrides,
  });
}
