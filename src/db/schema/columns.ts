import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Raw mail bytes; postgres.js returns Buffer, PGlite Uint8Array: normalise to Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType() {
    return 'bytea';
  },
  fromDriver(value) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value);
  },
});

/** Instants are always timestamptz and always JS Dates. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
