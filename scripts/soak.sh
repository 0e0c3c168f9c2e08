#!/usr/bin/env bash
# Soak test: runs `threadlanes run stress --headless` for a while and samples its memory.
# Fails if the resident set grows past a bound after the warm-up (a leak, an unbounded
# history, events piling up faster than they are folded), or if the run does not end as
# `--for` ends it (exit 2). Not part of CI: run it by hand before a release, e.g.
#
#   scripts/soak.sh                 # 60 s, the defaults below
#   scripts/soak.sh 1800            # the 30-minute run
#   SOAK_ARGS="--variant one-lock --set workers=1000" scripts/soak.sh 120
#
# Environment (all optional):
#   SOAK_SECONDS      how long to run (default 60; the first argument wins)
#   SOAK_INTERVAL     seconds between two samples (default 5)
#   SOAK_WARMUP       seconds before the baseline sample (default 15)
#   SOAK_MAX_GROWTH   allowed growth over the baseline, in MiB (default 16) ...
#   SOAK_MAX_PCT      ... or in percent of the baseline, whichever is larger (default 25)
#   SOAK_ARGS         more arguments for `run stress` (default: --set workers=50)
#   SOAK_PROFILE      cargo profile to build and run: release (default) or dev
#   THREADLANES_BIN   a binary to use instead of building one
set -euo pipefail

secs=${1:-${SOAK_SECONDS:-60}}
interval=${SOAK_INTERVAL:-5}
warmup=${SOAK_WARMUP:-15}
max_growth_mib=${SOAK_MAX_GROWTH:-16}
max_pct=${SOAK_MAX_PCT:-25}
args=${SOAK_ARGS:---set workers=50}
profile=${SOAK_PROFILE:-release}

cd "$(dirname "$0")/.."
if [[ -n ${THREADLANES_BIN:-} ]]; then
    bin=$THREADLANES_BIN
else
    cargo build --quiet --profile "$profile" --bin threadlanes
    dir=$profile
    [[ $profile == dev ]] && dir=debug
    bin=target/$dir/threadlanes
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086 # SOAK_ARGS is meant to split into words
"$bin" run stress $args --headless --json --for "$secs" >/dev/null 2>"$log" &
pid=$!

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true; }
field() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || true; }

echo "soak: $bin run stress $args --headless --for $secs (pid $pid)"
echo "soak: sample every ${interval}s, baseline after ${warmup}s, bound +max(${max_growth_mib} MiB, ${max_pct}%)"
printf '%8s %12s %8s\n' "t (s)" "RSS (KiB)" threads
start=$(date +%s)
baseline=""
peak_after=0
samples=()
while kill -0 "$pid" 2>/dev/null; do
    now=$(($(date +%s) - start))
    kb=$(rss)
    threads=$(field Threads)
    if [[ -n $kb ]]; then
        printf '%8d %12d %8s\n' "$now" "$kb" "${threads:-?}"
        samples+=("$now:$kb")
        if ((now >= warmup)); then
            [[ -z $baseline ]] && baseline=$kb
            ((kb > peak_after)) && peak_after=$kb
        fi
    fi
    sleep "$interval"
done
code=0
wait "$pid" || code=$?

echo "soak: the run's own summary:"
grep -E '^(scenario|ran|stopped|outcome|violation|problem)' "$log" | head -20 || true
if [[ $code -ne 2 ]]; then
    echo "soak: FAIL: exit $code, expected 2 (cut by --for)"
    tail -20 "$log"
    exit 1
fi
if [[ -z $baseline ]]; then
    echo "soak: FAIL: the run ended before the warm-up (${warmup}s); give it longer"
    exit 1
fi
allowed=$((max_growth_mib * 1024))
pct=$((baseline * max_pct / 100))
((pct > allowed)) && allowed=$pct
growth=$((peak_after - baseline))
first=${samples[0]#*:}
last=${samples[-1]#*:}
echo "soak: first ${first} KiB, baseline (t=${warmup}s) ${baseline} KiB, peak after ${peak_after} KiB, last ${last} KiB"
echo "soak: growth after warm-up ${growth} KiB (allowed ${allowed} KiB)"
if ((growth > allowed)); then
    echo "soak: FAIL: memory grew past the bound"
    exit 1
fi
echo "soak: OK"
