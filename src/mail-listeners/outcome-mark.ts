/**
 * The pipe's socket answers 250 with this mark and the outcome as JSON, for `slagate ingest` to
 * print what it would print without a gateway. Its own file so the ingest client does not load
 * smtp-server to know it.
 */
export const OUTCOME_MARK = 'slagate-outcome ';
