import { Worker, type TransferListItem } from 'node:worker_threads';
import { fromOffloadError, type FromOffloaded, type ToOffloaded } from './offload-messages.js';

export interface OffloadClient<Req, Res> {
  /** Runs one request in the thread; many may be outstanding at once. */
  call(request: Req, transfer?: readonly TransferListItem[]): Promise<Res>;
  /** Asks the thread to finish what it holds and stop; resolves once it has exited. Later calls fail. */
  close(): Promise<void>;
}

export interface OffloadClientOptions {
  workerData: unknown;
  /**
   * The error each outstanding call fails with when the thread dies under it (an uncaught
   * exception, out of memory), and a call made after close(). A thread that died is started
   * again for the next call.
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
export function startOffloadClient<Req, Res>(script: URL, options: OffloadClientOptions): OffloadClient<Req, Res> {
  type Pending = Map<number, { resolve: (value: Res) => void; reject: (err: Error) => void }>;
  // The calls each thread holds are its own: a dying thread fails only those.
  let current: { thread: Worker; pending: Pending; exited: Promise<void> } | null = null;
  let closed = false;
  let nextId = 0;

  const spawn = () => {
    const thread = new Worker(script, { workerData: options.workerData, name: `slagate ${options.name}` });
    const pending: Pending = new Map();
    let crash: string | null = null;
    thread.on('message', (message: FromOffloaded<Res>) => {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.response);
      else call.reject(fromOffloadError(message.error));
    });
    thread.on('error', (err) => { crash = `the ${options.name} thread failed: ${err.message}`; });
    const exited = new Promise<void>((resolve) => {
      thread.once('exit', (code) => {
        if (current?.thread === thread) current = null;
        const calls = [...pending.values()];
        pending.clear();
        for (const call of calls) call.reject(options.onCrash(crash ?? `the ${options.name} thread exited (code ${code})`));
        resolve();
      });
    });
    return { thread, pending, exited };
  };

  return {
    call(request, transfer) {
      if (closed) return Promise.reject(options.onCrash(`the ${options.name} thread was closed`));
      current ??= spawn();
      const { thread, pending } = current;
      const id = ++nextId;
      return new Promise<Res>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        try {
          thread.postMessage({ id, request } satisfies ToOffloaded<Req>, transfer);
        } catch (err) {
          // Nothing crossed over (a value that cannot be cloned): this call fails, the thread is fine.
          pending.delete(id);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    },
    async close() {
      closed = true;
      const running = current;
      if (!running) return;
      current = null;
      running.thread.postMessage({ close: true } satisfies ToOffloaded<Req>);
      // A thread that does not wind down (a handle left open) must not hold the shutdown.
      const force = setTimeout(() => void running.thread.terminate(), options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS);
      try {
        await running.exited;
      } finally {
        clearTimeout(force);
      }
    },
  };
}
