import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Raw mail bytes, as postgres.js returns them: a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType() {
    return 'bytea';
  },
});

/** Instants are always timestamptz and always JS Dates. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
