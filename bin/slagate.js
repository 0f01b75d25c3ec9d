#!/bin/sh
// 2>/dev/null; exec node --max-semi-space-size=8 "$0" "$@"
//
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
//
// The two lines above are read by sh and by node alike. sh runs the second one: `//` is a
// directory, so that command fails (its complaint discarded) and `exec` starts node on this same
// file with the flags below, keeping the process id. node skips the first line and reads the
// second as a comment. `#!/usr/bin/env -S node ...` would be shorter, but BusyBox's env (Alpine's)
// has no -S and would refuse to start at all.
//
// --max-semi-space-size=8 (MiB; Node 20 on 64-bit defaults to 16): V8 grows the young generation
// to three semi-spaces under ingest load and keeps them, which was 15-25 MB of `slagate start`'s
// peak RSS (240-251 MB against the 250 MB target with a 25 MB attachment in the backlog; 225-231
// with the flag). Ingest CPU per mail did not move beyond the machine's noise (bench/peak-rss and
// BENCHMARKS.md). A V8 heap size is read when node starts (from its command line or
// NODE_OPTIONS; v8.setFlagsFromString later does not resize the heap), hence the launcher:
// `npx slagate`, `npm start` and an installed `slagate` all start through it. Whoever runs
// `node bin/slagate.js` directly (a systemd unit, say) passes the flag or sets
// NODE_OPTIONS=--max-semi-space-size=8 (README).
import { main } from '../dist/cli.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exitCode = 70;
  },
);
