// Preloaded into a child process (node --import) to move its wall clock by SLAGATE_TEST_CLOCK_OFFSET_MS:
// for tests of a gateway that runs out of process with the real clock, at a chosen moment (the first
// business day of a month). Only Date moves; timers and performance.now() run as they are.
const offset = Number(process.env.SLAGATE_TEST_CLOCK_OFFSET_MS || 0);
if (offset) {
  const RealDate = globalThis.Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() { return RealDate.now() + offset; }
    static [Symbol.hasInstance](value) { return value instanceof RealDate; }
  }
  globalThis.Date = ShiftedDate;
}
