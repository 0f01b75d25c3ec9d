import { createServer } from 'node:net';

/** Binds port 0 on loopback to learn a free port, for a server that cannot be told port 0 (Dovecot, PostgreSQL). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
