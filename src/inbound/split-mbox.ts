/**
 * Splits an mbox (mboxrd/mboxo) file into raw messages: a message starts at a line beginning with
 * "From " at the start of the file or after a blank line; ">From " quoting is undone.
 */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1'); // byte-preserving: each byte one char, re-encoded below
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[1]!.length);
  const out: Buffer[] = [];
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i]!;
    const to = i + 1 < starts.length ? starts[i + 1]! : text.length;
    const chunk = text.slice(text.indexOf('\n', from) + 1, to).replace(/\n\n$/, '\n').replace(/^>(>*From )/gm, '$1');
    if (chunk.trim().length > 0) out.push(Buffer.from(chunk, 'latin1'));
  }
  return out;
}

/** True when the data looks like an mbox rather than a single message. */
export function looksLikeMbox(data: Buffer): boolean {
  return data.subarray(0, 5).toString('latin1') === 'From ';
}
