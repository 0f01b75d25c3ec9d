import { ERROR_CODES, SlagateError, describeError, type ErrorCode } from '../errors.js';

/** What crosses between a thread client and its thread: requests one way, answers the other. */
export type ToOffloaded<Req> = { id: number; request: Req } | { close: true };
export type FromOffloaded<Res> = { id: number; ok: true; response: Res } | { id: number; ok: false; error: OffloadError };

/**
 * An error as it crosses a thread boundary. Structured cloning keeps an Error's message but not
 * its `code` or `retryable`, and those are what callers decide by.
 */
export interface OffloadError {
  code: string | null;
  message: string;
  retryable: boolean | null;
}

export function toOffloadError(err: unknown): OffloadError {
  const e = err as { code?: unknown; retryable?: unknown; message?: unknown } | undefined;
  return {
    code: typeof e?.code === 'string' ? e.code : null,
    message: err instanceof SlagateError ? err.message : describeError(err),
    retryable: typeof e?.retryable === 'boolean' ? e.retryable : null,
  };
}

/** The error again on this side: a SlagateError when it was one, with its code and retryability. */
export function fromOffloadError(error: OffloadError): Error {
  if (error.code !== null && error.code in ERROR_CODES) {
    return new SlagateError(error.code as ErrorCode, error.message, error.retryable === null ? {} : { retryable: error.retryable });
  }
  return Object.assign(new Error(error.message), error.code === null ? {} : { code: error.code });
}
