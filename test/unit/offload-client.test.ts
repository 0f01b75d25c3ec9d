import { describe, expect, it } from 'vitest';
import { SlagateError } from '../../src/errors.js';
import { startOffloadClient } from '../../src/offload/offload-client.js';
import { offloadScriptUrl } from '../../src/offload/offload-script.js';

const script = new URL('../fixtures/offload/echo-offloaded.mjs', import.meta.url);
type Request = { echo?: string; fail?: string; crash?: boolean; waitMs?: number; keepAlive?: boolean };

function client(closeTimeoutMs?: number) {
  return startOffloadClient<Request, { echo: string; thread: string }>(script, {
    name: 'echo', workerData: { label: 'echo-1' }, closeTimeoutMs,
    onCrash: (reason) => new SlagateError('SMTP_CONNECTION', reason),
  });
}

describe('a thread client', () => {
  it('answers many outstanding calls, each with its own answer', async () => {
    const c = client();
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => c.call({ echo: `m${i}` })));
      expect(answers.map((a) => a.echo)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(answers[0]!.thread).toBe('echo-1');
    } finally {
      await c.close();
    }
  });

  it('hands back an error with its stable code and retryability', async () => {
    const c = client();
    try {
      const err = await c.call({ fail: 'SMTP_PERMANENT' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SlagateError);
      expect(err).toMatchObject({ code: 'SMTP_PERMANENT', retryable: false, message: 'failed as asked (SMTP_PERMANENT)' });
    } finally {
      await c.close();
    }
  });

  it('fails the calls a dying thread held, and starts a fresh thread for the next call', async () => {
    const c = client();
    try {
      const held = c.call({});
      const crash = c.call({ crash: true });
      for (const call of [held, crash]) {
        await expect(call).rejects.toMatchObject({ code: 'SMTP_CONNECTION', message: expect.stringContaining('thread blew up') });
      }
      expect((await c.call({ echo: 'again' })).echo).toBe('again');
    } finally {
      await c.close();
    }
  });

  it('lets the calls in flight finish on close, then the thread ends', async () => {
    const c = client();
    const slow = c.call({ waitMs: 100 });
    await c.close();
    await expect(slow).resolves.toMatchObject({ echo: 'waited' });
  });

  it('refuses calls once closed, instead of starting a thread nobody will close', async () => {
    const c = client();
    expect((await c.call({ echo: 'before' })).echo).toBe('before');
    await c.close();
    await expect(c.call({ echo: 'after' })).rejects.toMatchObject({ code: 'SMTP_CONNECTION', message: expect.stringContaining('closed') });
  });

  it('fails only the call whose request cannot cross over, and the thread goes on', async () => {
    const c = client();
    try {
      await expect(c.call({ echo: (() => {}) as unknown as string })).rejects.toThrow(/could not be cloned/);
      expect((await c.call({ echo: 'still here' })).echo).toBe('still here');
    } finally {
      await c.close();
    }
  });

  it('terminates a thread that does not wind down by itself, failing what it still held', async () => {
    const c = client(200);
    const never = c.call({ keepAlive: true });
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(never).rejects.toMatchObject({ code: 'SMTP_CONNECTION' });
  });
});

describe('a worker script URL', () => {
  it('is the compiled file beside a compiled module', () => {
    expect(offloadScriptUrl('smtp-sender-offloaded', 'file:///opt/slagate/dist/smtp/create-threaded-smtp-sender.js').href)
      .toBe('file:///opt/slagate/dist/smtp/smtp-sender-offloaded.js');
  });

  it('is taken from dist/ when the starting module is TypeScript source', () => {
    expect(offloadScriptUrl('smtp-sender-offloaded', 'file:///work/src/app/src/smtp/create-offloaded-smtp-sender.ts').href)
      .toBe('file:///work/src/app/dist/smtp/smtp-sender-offloaded.js');
  });
});
