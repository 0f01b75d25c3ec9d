/**
 * Progress on one rewritten stderr line, and only for a person watching a terminal: pipes, logs
 * and tests get the results alone.
 */
export function progressWriter(err: NodeJS.WritableStream): (message: string | null) => void {
  if (!(err as { isTTY?: boolean }).isTTY) return () => {};
  return (message) => err.write(message === null ? '\r\x1b[K' : `\r\x1b[K${message}…`);
}
