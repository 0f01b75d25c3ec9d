/**
 * A ticket's subject as our mails repeat it: without any ticket token of ours (`[#SR-1002]`,
 * wherever it stands: a ticket opened by a reply to another carries the other's) and without the
 * reply and forward prefixes the client's mail client stacked in front (`Re: YNT: Fwd:`). The
 * template adds the one prefix it means and subjectWithToken the one token, so a thread's
 * subject stays `[#SR-1019] Re: Fatura ekranı` however long it runs.
 */
export function bareSubject(subject: string, replyPrefixes: readonly string[], ticketPrefix: string): string {
  const known = new Set(replyPrefixes.map(fold));
  const escaped = ticketPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let rest = subject.replace(new RegExp(`[[［]#${escaped}-\\d+[\\]］]`, 'giu'), ' ').replace(/\s+/g, ' ').trim();
  for (;;) {
    const m = PREFIX.exec(rest);
    if (!m || !known.has(fold(m[1] ?? ''))) break;
    rest = rest.slice(m[0].length).trim();
  }
  // A subject that was nothing but prefixes and tokens keeps what it had, rather than nothing.
  return rest === '' ? subject.trim() : rest;
}

// A prefix word, an optional counter (`Re[2]:`, `Re(3):`), then an ASCII or fullwidth colon.
const PREFIX = /^\s*([^\s:：[\]()［］（）]{1,12})\s*(?:[[［(（]\s*\d{1,4}\s*[\]］)）])?\s*[:：]/u;

/** Turkish-aware: `İLT`, `ILT` and `ilt` are one prefix ('İ'.toLowerCase() is not 'i'). */
function fold(word: string): string {
  return word.replace(/[İIı]/g, 'i').toLowerCase();
}
