#!/usr/bin/env bash
# Runs the whole test suite (npm test) several times in a row with CPU-burning processes beside
# it, as a shared CI machine is: the suite must pass every time (issue 25). Prints how long each
# run took and stops at the first failure (its log is kept).
#
# Usage: scripts/test-on-busy-machine.sh [RUNS=3] [BURNERS=2]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
burners=${2:-2}

pids=()
stop_burners() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_burners EXIT
for _ in $(seq 1 "$burners"); do
  (while :; do :; done) &
  pids+=("$!")
done

logs=$(mktemp -d "${TMPDIR:-/tmp}/slagate-busy-XXXXXX")
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  npm test >"$logs/run-$run.log" 2>&1
  status=$?
  took=$(( $(date +%s) - started ))
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/run-$run.log" | grep -E '^ +Tests +[0-9]' | tail -n1 | sed 's/^ *//')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf 'run %d of %d: %s in %d s (%s; load %s, %d burners)\n' "$run" "$runs" "$([ "$status" = 0 ] && echo green || echo RED)" "$took" "${summary:-no summary}" "$load" "$burners"
  if [ "$status" != 0 ]; then
    echo "log: $logs/run-$run.log"
    exit 1
  fi
done
rm -rf "$logs"
