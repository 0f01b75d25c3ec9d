import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { looksLikeMbox, splitMbox } from '../inbound/split-mbox.js';

export interface MailSource {
  /** File name, with `#n` for the n-th message of an mbox. */
  name: string;
  raw: Buffer;
}

/** Every mail under the given paths: .eml files, folders (recursively, sorted), and mbox files. */
export async function* readMailSources(paths: string[]): AsyncGenerator<MailSource> {
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      yield* readMailSources(entries.filter((e) => !e.startsWith('.')).map((e) => join(path, e)));
      continue;
    }
    const data = await readFile(path);
    if (looksLikeMbox(data)) {
      let n = 0;
      for (const raw of splitMbox(data)) yield { name: `${path}#${++n}`, raw };
    } else {
      yield { name: path, raw: data };
    }
  }
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
