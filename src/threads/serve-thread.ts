import { parentPort, workerData } from 'node:worker_threads';
import { toThreadError, type FromThread, type ToThread } from './thread-messages.js';

/** What a thread script serves: built from the data its client started it with. */
export interface ThreadService<Req, Res> {
  handle(request: Req): Promise<Res>;
  close(): Promise<void>;
}

/**
 * The thread's side of a ThreadClient: answers each request with `handle`, several at once, and on
 * the client's close waits for the requests it holds, closes the service, and lets the thread end.
 */
export function serveThread<Data, Req, Res>(start: (data: Data) => ThreadService<Req, Res>): void {
  const port = parentPort;
  if (!port) throw new Error('serveThread runs inside a worker thread');
  const service = start(workerData as Data);
  const running = new Set<Promise<void>>();
  port.on('message', (message: ToThread<Req>) => {
    if ('close' in message) {
      void Promise.allSettled(running).then(() => service.close()).finally(() => port.close());
      return;
    }
    const { id, request } = message;
    const done: Promise<void> = service.handle(request).then(
      (response) => port.postMessage({ id, ok: true, response } satisfies FromThread<Res>),
      (err: unknown) => port.postMessage({ id, ok: false, error: toThreadError(err) } satisfies FromThread<Res>),
    ).finally(() => running.delete(done));
    running.add(done);
  });
}
