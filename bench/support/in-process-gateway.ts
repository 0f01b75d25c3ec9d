import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/main.js';

/**
 * `slagate start` in this process (the composition root itself, so the bench measures what
 * ships), so the bench can time it without a process boundary; the RSS bench runs the real CLI as
 * a child instead. The HTTP listener takes port 0.
 */
export async function startInProcessGateway(config: Config, options: { logger: Logger }): Promise<Gateway> {
  return startGateway(config, { logger: options.logger });
}
