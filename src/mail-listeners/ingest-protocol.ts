import { connect, type Socket } from 'node:net';

/**
 * Both ends of the pipe's socket (ingest-socket.ts is the gateway's). The client imports
 * node:net only: the pipe's cost is Node's start-up plus this.
 */
export const INGEST_PROTOCOL = 'SLAGATE-INGEST 1';

export function requestHeader(mailbox: string, bytes: number): string {
  return `${INGEST_PROTOCOL} ${mailbox} ${bytes}\n`;
}

export function parseRequestHeader(line: string): { mailbox: string; bytes: number } | null {
  const m = /^SLAGATE-INGEST 1 ([a-z]+) (\d{1,12})$/.exec(line);
  return m ? { mailbox: m[1]!, bytes: Number(m[2]) } : null;
}

export interface IngestReply {
  code: number;
  /** The outcome's JSON after a 250, the reason otherwise. */
  text: string;
}

export interface IngestSession {
  /** The gateway's reply, which comes after its commit; rejects when the connection is lost first. */
  deliver(mailbox: string, raw: Buffer): Promise<IngestReply>;
  close(): void;
}

/** Connects to the gateway's ingest socket; rejects when nothing listens there. */
export async function openIngestSession(path: string, timeoutMs = 120_000): Promise<IngestSession> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const replies = lineReader(socket, timeoutMs);
  return {
    deliver(mailbox, raw) {
      socket.write(requestHeader(mailbox, raw.length));
      socket.write(raw);
      return replies.next().then((line) => {
        const sp = line.indexOf(' ');
        return { code: Number(line.slice(0, sp)), text: line.slice(sp + 1) };
      });
    },
    close() {
      socket.end();
    },
  };
}

function lineReader(socket: Socket, timeoutMs: number) {
  let buffer = '';
  const ready: string[] = [];
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no reply from the gateway in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(line);
      else ready.push(line);
    }
  });
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(Object.assign(new Error('the gateway closed the connection'), { code: 'ECONNRESET' })));
  return {
    next(): Promise<string> {
      const line = ready.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
