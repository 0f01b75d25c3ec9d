import { defineConfig } from 'drizzle-kit';

// drizzle-kit only diffs the schema; it never connects (migrations run through `slagate migrate`).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/*.ts',
  out: './migrations',
});
