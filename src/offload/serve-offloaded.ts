import { parentPort, workerData } from 'node:worker_threads';
import { toOffloadError, type FromOffloaded, type ToOffloaded } from './offload-messages.js';

/** What a thread script serves: built from the data its client started it with. */
export interface OffloadService<Req, Res> {
  handle(request: Req): Promise<Res>;
  close(): Promise<void>;
}

/**
 * The thread's side of an OffloadClient: answers each request with `handle`, several at once, and on
 * the client's close waits for the requests it holds, closes the service, and lets the thread end.
 */
export function serveOffloaded<Data, Req, Res>(start: (data: Data) => OffloadService<Req, Res>): void {
  const port = parentPort;
  if (!port) throw new Error('serveOffloaded runs inside a worker thread');
  const service = start(workerData as Data);
  const running = new Set<Promise<void>>();
  port.on('message', (message: ToOffloaded<Req>) => {
    if ('close' in message) {
      void Promise.allSettled(running).then(() => service.close()).finally(() => port.close());
      return;
    }
    const { id, request } = message;
    const done: Promise<void> = service.handle(request).then(
      (response) => port.postMessage({ id, ok: true, response } satisfies FromOffloaded<Res>),
      (err: unknown) => port.postMessage({ id, ok: false, error: toOffloadError(err) } satisfies FromOffloaded<Res>),
    ).finally(() => running.delete(done));
    running.add(done);
  });
}
