// Delivers mails to an LMTP server the way a local MTA's LMTP client does, in a process of its
// own as Postfix is: N sessions at once, each one mail after the other, MAIL FROM, RCPT TO and
// DATA sent together (PIPELINING, which slagate announces and Postfix uses), then the message.
// The bench measures the gateway, not this client: run in the bench's process, the client would
// take the gateway's event loop turns and count its CPU as the gateway's.
//
// Usage: node lmtp-deliverer.mjs HOST PORT SESSIONS FILE RECIPIENT
// FILE holds one JSON line a mail: {"from": "...", "raw": "<base64>"}. Prints one JSON line:
// {"delivered": n, "refused": [...], "wallMs": ms} and exits 0 once every session has ended.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const [host, port, sessions, file, recipient] = process.argv.slice(2);
const mails = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
  const { from, raw } = JSON.parse(line);
  return { from, raw: Buffer.from(raw, 'base64') };
});

function dotStuffed(raw) {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(`${text}${text.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

function session(share) {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host);
    let buffer = '';
    const waiting = [];
    const unclaimed = []; // replies that came before anyone asked (pipelined commands answered together)
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      buffer += chunk;
      // A reply ends with a line whose code is followed by a space (multiline replies use '-').
      for (let end = buffer.search(/^\d{3} .*\r\n/m); end >= 0; end = buffer.search(/^\d{3} .*\r\n/m)) {
        const stop = buffer.indexOf('\r\n', end) + 2;
        const reply = buffer.slice(0, stop);
        buffer = buffer.slice(stop);
        const code = Number(reply.slice(end, end + 3));
        const waiter = waiting.shift();
        if (waiter) waiter(code);
        else unclaimed.push(code);
      }
    });
    socket.on('error', reject);
    const next = () => (unclaimed.length > 0 ? Promise.resolve(unclaimed.shift()) : new Promise((r) => waiting.push(r)));
    const refused = [];
    (async () => {
      await next(); // greeting
      socket.write('LHLO bench.example\r\n');
      await next();
      for (const mail of share) {
        socket.write(`MAIL FROM:<${mail.from}>\r\nRCPT TO:<${recipient}>\r\nDATA\r\n`);
        const codes = [await next(), await next(), await next()];
        if (codes[2] !== 354) {
          refused.push(codes);
          socket.write('RSET\r\n');
          await next();
          continue;
        }
        socket.write(dotStuffed(mail.raw));
        const code = await next();
        if (code !== 250) refused.push([code]);
      }
      socket.write('QUIT\r\n');
      await next();
      socket.end();
      resolve(refused);
    })().catch(reject);
  });
}

const n = Number(sessions);
const t0 = performance.now();
const refused = (await Promise.all(Array.from({ length: n }, (_, k) => session(mails.filter((_, i) => i % n === k))))).flat();
process.stdout.write(`${JSON.stringify({ delivered: mails.length - refused.length, refused, wallMs: performance.now() - t0 })}\n`);
