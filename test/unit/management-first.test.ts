import { describe, expect, it } from 'vitest';
import { createManagementFirst } from '../../src/workers/management-first.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Issue 20: a support pass hands nothing over before the management mailbox was read. */
describe('management first', () => {
  it('at start-up, a support pass waits for the management session, then for one more management pass', async () => {
    const order = createManagementFirst({ waitMs: 60_000 });
    const log: string[] = [];
    const support = order.beforeSupport().then(() => log.push('support hands over'));
    await tick();
    expect(log).toEqual([]);
    let finish!: () => void;
    order.ready(() => {
      log.push('management pass');
      return new Promise<void>((resolve) => { finish = resolve; });
    });
    await tick();
    expect(log).toEqual(['management pass']);
    finish();
    await support;
    expect(log).toEqual(['management pass', 'support hands over']);
  });

  it('does not wait while management is read by another instance, or its session is down', async () => {
    const order = createManagementFirst({ waitMs: 60_000 });
    order.standby();
    await order.beforeSupport();
    order.ready(() => new Promise<void>(() => {}));
    order.lost();
    await order.beforeSupport();
  });

  it('waits at most waitMs for a management pass that does not end, and for a first session only once', async () => {
    const order = createManagementFirst({ waitMs: 50 });
    await order.beforeSupport(); // no management session ever came: waited once
    await order.beforeSupport();
    order.ready(() => new Promise<void>(() => {}));
    await order.beforeSupport();
  });

  it('a failed management pass does not stop support', async () => {
    const order = createManagementFirst({ waitMs: 60_000 });
    order.ready(() => Promise.reject(new Error('imap down')));
    await expect(order.beforeSupport()).resolves.toBeUndefined();
  });
});
