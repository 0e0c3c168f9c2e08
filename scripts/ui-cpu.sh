#!/usr/bin/env bash
# The UI thread's share of a core while the TUI runs a scenario at 200×60 in tmux.
#   scripts/ui-cpu.sh [BIN] [SECONDS] [-- extra args for `run stress`]
# e.g. scripts/ui-cpu.sh target/release/threadlanes 20 -- --set workers=1000
# Reads utime+stime of the main (UI) thread from /proc over SECONDS, 3 s after launch.
set -euo pipefail
BIN=${1:-target/release/threadlanes}
SECS=${2:-20}
shift $(( $# >= 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
S=ui-cpu-$$
tmux new -d -s "$S" -x 200 -y 60 "$BIN run stress $*"
trap 'tmux kill-session -t "$S" 2>/dev/null || true' EXIT
sleep 3
PID=$(tmux list-panes -t "$S" -F '#{pane_pid}')
ticks() { awk '{print $14 + $15}' "/proc/$PID/task/$PID/stat"; }
a=$(ticks)
sleep "$SECS"
b=$(ticks)
tmux send-keys -t "$S" q
hz=$(getconf CLK_TCK)
awk -v d=$((b - a)) -v s="$SECS" -v hz="$hz" 'BEGIN { printf "UI thread: %.1f %% of a core\n", 100 * d / hz / s }'
