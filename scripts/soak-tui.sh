#!/usr/bin/env bash
# TUI soak: runs `threadlanes run stress` full screen in a tmux window for a while, and every
# few seconds presses space (pause, then resume) and measures how long the screen takes to
# say so. Samples memory too. Fails if a key goes unanswered for longer than a bound, if
# memory grows past a bound after the warm-up, or if q does not end the program promptly.
# Not part of CI (it needs tmux and takes minutes): run it by hand before a release, e.g.
#
#   scripts/soak-tui.sh              # 60 s
#   scripts/soak-tui.sh 1800         # the 30-minute run
#
# Environment (all optional):
#   SOAK_ARGS        more arguments for `run stress` (default: --set workers=50)
#   SOAK_INTERVAL    seconds between two key presses (default 5)
#   SOAK_WARMUP      seconds before the memory baseline (default 15)
#   SOAK_MAX_KEY_MS  slowest answer to a key allowed, in ms (default 250)
#   SOAK_MAX_GROWTH  allowed memory growth over the baseline, in MiB (default 16)
#   THREADLANES_BIN  a binary to use instead of building one
set -euo pipefail

secs=${1:-60}
args=${SOAK_ARGS:---set workers=50}
interval=${SOAK_INTERVAL:-5}
warmup=${SOAK_WARMUP:-15}
max_key_ms=${SOAK_MAX_KEY_MS:-250}
max_growth_kib=$((${SOAK_MAX_GROWTH:-16} * 1024))

cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "soak-tui: needs tmux"; exit 1; }
if [[ -n ${THREADLANES_BIN:-} ]]; then
    bin=$THREADLANES_BIN
else
    cargo build --quiet --release --bin threadlanes
    bin=$PWD/target/release/threadlanes
fi

session=threadlanes-soak-$$
# shellcheck disable=SC2086 # SOAK_ARGS is meant to split into words
tmux new-session -d -s "$session" -x 120 -y 36 "$bin run stress $args"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
sleep 1
pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0; }
ms() { date +%s%3N; }
# Presses space and waits for the status line to show `want`; prints the milliseconds.
press() {
    local want=$1 t0
    t0=$(ms)
    tmux send-keys -t "$session" ' '
    while ! tmux capture-pane -p -t "$session" | head -1 | grep -q "$want"; do
        if (($(ms) - t0 > 5000)); then
            echo 5000
            return
        fi
        sleep 0.01
    done
    echo $(($(ms) - t0))
}

echo "soak-tui: $bin run stress $args, ${secs}s, a key every ${interval}s (pid $pid)"
printf '%8s %12s %10s %10s\n' "t (s)" "RSS (KiB)" "pause ms" "resume ms"
start=$(date +%s)
baseline="" peak=0 worst=0
while (($(date +%s) - start < secs)); do
    sleep "$interval"
    now=$(($(date +%s) - start))
    p=$(press paused)
    r=$(press running)
    kb=$(rss)
    printf '%8d %12d %10d %10d\n' "$now" "$kb" "$p" "$r"
    ((p > worst)) && worst=$p
    ((r > worst)) && worst=$r
    if ((now >= warmup)); then
        [[ -z $baseline ]] && baseline=$kb
        ((kb > peak)) && peak=$kb
    fi
done

t0=$(ms)
tmux send-keys -t "$session" q
# Gone, or a zombie waiting for tmux to reap it (it has exited by then).
alive() { [[ -e /proc/$pid ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; }
while alive; do
    if (($(ms) - t0 > 2000)); then
        echo "soak-tui: FAIL: q did not end the program within 2 s"
        exit 1
    fi
    sleep 0.01
done
quit_ms=$(($(ms) - t0))

baseline=${baseline:-0}
growth=$((peak - baseline))
echo "soak-tui: slowest answer to a key ${worst} ms (bound ${max_key_ms}); quit took ${quit_ms} ms"
echo "soak-tui: RSS baseline ${baseline} KiB, peak after warm-up ${peak} KiB, growth ${growth} KiB (bound ${max_growth_kib})"
fail=0
((worst > max_key_ms)) && { echo "soak-tui: FAIL: a key took too long"; fail=1; }
((baseline > 0 && growth > max_growth_kib)) && { echo "soak-tui: FAIL: memory grew"; fail=1; }
((fail == 0)) && echo "soak-tui: OK"
exit $fail
