import { connect, type Socket } from 'node:net';

/**
 * A minimal LMTP client that speaks to a Unix socket (nodemailer's LMTP client speaks TCP only):
 * one recipient a delivery, its reply after DATA.
 */
export interface LmtpReply {
  code: number;
  /** The reply text without the code, lines joined by newlines. */
  text: string;
}

export interface LmtpDelivery {
  /** MAIL FROM; empty for the null sender. */
  from: string;
  to: string;
  raw: Buffer;
}

export interface LmtpSession {
  /** The reply after DATA (one recipient, one reply), or the first refusal before it. */
  deliver(delivery: LmtpDelivery): Promise<LmtpReply>;
  close(): Promise<void>;
}

/** Connects to an LMTP server on a Unix socket (or `{ host, port }`) and says LHLO. */
export async function openLmtpSession(address: string | { host: string; port: number }, timeoutMs = 120_000): Promise<LmtpSession> {
  const socket = typeof address === 'string' ? connect(address) : connect(address.port, address.host);
  const replies = replyReader(socket, timeoutMs);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const send = (line: string) => socket.write(`${line}\r\n`);
  const expect = async (want: number) => {
    const reply = await replies.next();
    if (Math.floor(reply.code / 100) !== want) throw Object.assign(new Error(`LMTP ${reply.code} ${reply.text}`), { reply });
    return reply;
  };
  try {
    await expect(2);
    send('LHLO slagate-ingest');
    await expect(2);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return {
    async deliver({ from, to, raw }) {
      try {
        send(`MAIL FROM:<${from.replace(/[\r\n<>]/g, '')}>`);
        await expect(2);
        send(`RCPT TO:<${to.replace(/[\r\n<>]/g, '')}>`);
        await expect(2);
        send('DATA');
        await expect(3);
      } catch (err) {
        const reply = (err as { reply?: LmtpReply }).reply;
        if (!reply) throw err;
        send('RSET');
        await replies.next();
        return reply;
      }
      socket.write(dotStuffed(raw));
      return replies.next();
    },
    async close() {
      if (socket.destroyed) return;
      send('QUIT');
      await replies.next().catch(() => undefined);
      socket.end();
    },
  };
}

/**
 * The message as DATA: CRLF line ends (what any MTA puts on the wire; a pipe gets bare LF),
 * a dot at the start of a line doubled, and the terminating dot line.
 */
export function dotStuffed(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/(^|\n)\./g, '$1..');
  return Buffer.from(`${text}${text.endsWith('\r\n') || text.length === 0 ? '' : '\r\n'}.\r\n`, 'latin1');
}

/** Replies in order, multi-line ones joined; a closed connection or the timeout fails the waiter. */
function replyReader(socket: Socket, timeoutMs: number) {
  let buffer = '';
  let lines: string[] = [];
  const ready: LmtpReply[] = [];
  const waiting: { resolve: (r: LmtpReply) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no reply from the gateway in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      lines.push(line.slice(4));
      if (line[3] === '-') continue;
      const reply = { code: Number(line.slice(0, 3)), text: lines.join('\n') };
      lines = [];
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(reply);
      else ready.push(reply);
    }
  });
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(Object.assign(new Error('the gateway closed the connection'), { code: 'ECONNRESET' })));
  return {
    next(): Promise<LmtpReply> {
      const reply = ready.shift();
      if (reply) return Promise.resolve(reply);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
