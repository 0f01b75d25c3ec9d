import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of a server, to break links on purpose:
 * `resetAll()` is a dropped connection, `blackhole(true)` a half-open one (bytes vanish, nothing
 * closes), which a client notices only through its own timeouts.
 */
export interface TcpProxy {
  host: string;
  port: number;
  /** Connections accepted so far (a reconnect shows up here). */
  readonly accepted: number;
  resetAll(): void;
  /** Silences the connections open now (new ones still work, as after a NAT entry expired). */
  blackhole(on: boolean): void;
  /** While on, new connections are reset at once (a server restarting); resetAll() the open ones too. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const silenced = new WeakSet<Socket>();
  let accepted = 0;
  let refusing = false;

  const server = createServer((client) => {
    if (refusing) {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    accepted += 1;
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!silenced.has(from)) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    host: '127.0.0.1',
    port,
    get accepted() { return accepted; },
    resetAll() {
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    refuse(on) {
      refusing = on;
    },
    blackhole(on) {
      for (const [client, upstream] of pairs) {
        for (const s of [client, upstream]) {
          if (on) silenced.add(s);
          else silenced.delete(s);
        }
      }
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
