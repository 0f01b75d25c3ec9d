import { Worker, type TransferListItem } from 'node:worker_threads';
import { fromThreadError, type FromThread, type ToThread } from './thread-messages.js';

export interface ThreadClient<Req, Res> {
  /** Runs one request in the thread; many may be outstanding at once. */
  call(request: Req, transfer?: readonly TransferListItem[]): Promise<Res>;
  /** Asks the thread to finish what it holds and stop; resolves once it has exited. */
  close(): Promise<void>;
}

export interface ThreadClientOptions {
  workerData: unknown;
  /**
   * The error each outstanding call fails with when the thread dies under it (an uncaught
   * exception, out of memory). The thread is started again for the next call.
   */
  onCrash: (reason: string) => Error;
  /** Shown in the thread's name (`slagate <name>`), in stack traces and the inspector. */
  name: string;
  /** How long close() waits for the thread to finish before terminating it. */
  closeTimeoutMs?: number;
}

const CLOSE_TIMEOUT_MS = 15_000; // 15 seconds: a send in flight may be waiting on a slow server

/**
 * A request/response channel to a worker thread that runs one script, started on the first call.
 * A thread that dies fails the calls it held (with `onCrash`) instead of leaving them pending for
 * ever, and a fresh one takes the next call.
 */
export function startThreadClient<Req, Res>(script: URL, options: ThreadClientOptions): ThreadClient<Req, Res> {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: Res) => void; reject: (err: Error) => void }>();

  const failAll = (reason: string) => {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.reject(options.onCrash(reason));
  };

  const spawn = (): Worker => {
    const thread = new Worker(script, { workerData: options.workerData, name: `slagate ${options.name}` });
    let crash: string | null = null;
    thread.on('message', (message: FromThread<Res>) => {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.response);
      else call.reject(fromThreadError(message.error));
    });
    thread.on('error', (err) => { crash = `the ${options.name} thread failed: ${err.message}`; });
    exited = new Promise((resolve) => {
      thread.once('exit', (code) => {
        if (worker === thread) worker = null;
        failAll(crash ?? `the ${options.name} thread exited (code ${code})`);
        resolve();
      });
    });
    return thread;
  };

  return {
    call(request, transfer) {
      worker ??= spawn();
      const id = ++nextId;
      const answer = new Promise<Res>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ id, request } satisfies ToThread<Req>, transfer);
      return answer;
    },
    async close() {
      const thread = worker;
      if (!thread) return;
      worker = null;
      thread.postMessage({ close: true } satisfies ToThread<Req>);
      // A thread that does not wind down (a handle left open) must not hold the shutdown.
      const force = setTimeout(() => void thread.terminate(), options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS);
      try {
        await exited;
      } finally {
        clearTimeout(force);
      }
    },
  };
}
