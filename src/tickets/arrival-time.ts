/**
 * The instant an SLA clock sees for a mail: when it arrived in our mailbox (the IMAP
 * INTERNALDATE), not when we got round to ingesting it, so a backlog after an outage does not
 * turn replies written in time into breaches. Never later than `now`: a mail server clock running
 * ahead must not date an answer in the future.
 */
export function arrivalTime(receivedAt: Date, now: Date): Date {
  return receivedAt.getTime() < now.getTime() ? receivedAt : now;
}
