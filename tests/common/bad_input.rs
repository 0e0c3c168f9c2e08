//! Every command line the program refuses, each with words its message must hold: the one
//! list of them. Unknown scenario, bad subcommand or flag, bad `--set`, `--variant`, speed,
//! seed, length, size, key script, a program `trace` cannot start. [`assert_all_refused`]
//! runs each on the binary.

use std::path::Path;
use std::process::Command;

/// In a command line, stands for the file it would write; the test picks the path and checks
/// that nothing was written there.
pub const OUT: &str = "{OUT}";

/// The command lines and the words their message must hold.
pub const REFUSED: &[(&[&str], &str)] = &[
    // Scenario names and subcommands.
    (&["run", "nosuch", "--headless"], "valid scenarios: join, "),
    (&["run", ""], "unknown scenario \"\""),
    (
        &["run", "rac\u{e9}", "--headless"],
        "valid scenarios: join, ",
    ),
    (&["run"], "<SCENARIO>"),
    (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    (&["run", "race", "--bogus"], "unexpected argument"),
    // Versions and parameters.
    (
        &["run", "race", "--headless", "--variant", "x"],
        "valid: no-lock, with-lock",
    ),
    (
        &["run", "semaphore", "--headless", "--variant", "x"],
        "has no variants",
    ),
    (
        &["run", "race", "--headless", "--set", "speed=2"],
        "valid: rounds",
    ),
    (
        &["run", "race", "--headless", "--set", "rounds=0"],
        "between 1 and",
    ),
    (
        &["run", "race", "--headless", "--set", "rounds=abc"],
        "\"abc\" is not a whole number",
    ),
    (
        &[
            "run",
            "race",
            "--headless",
            "--set",
            "rounds=99999999999999999999",
        ],
        "is not a whole number",
    ),
    (
        &["run", "race", "--headless", "--set", "rounds"],
        "expected NAME=VALUE",
    ),
    (
        &["run", "race", "--headless", "--set", "=5"],
        "unknown parameter \"\"",
    ),
    (
        &["run", "stress", "--headless", "--set", "workers=1001"],
        "between 1 and 1000",
    ),
    (
        &["run", "stress", "--headless", "--set", "objects=0"],
        "between 1 and 200",
    ),
    // Speed, seed, length, step: ranges and where each flag belongs.
    (
        &["run", "race", "--headless", "--speed", "0"],
        "out of range",
    ),
    (
        &["run", "race", "--headless", "--speed", "1001"],
        "use 0.1 to 1000",
    ),
    (&["run", "race", "--speed", "11"], "use 0.1 to 10"),
    (
        &["run", "race", "--headless", "--speed", "fast"],
        "invalid value 'fast'",
    ),
    (
        &["run", "race", "--headless", "--seed", "-1"],
        "unexpected argument '-1'",
    ),
    (
        &["run", "race", "--headless", "--for", "0"],
        "positive number of seconds",
    ),
    (
        &["run", "race", "--headless", "--for", "NaN"],
        "positive number of seconds",
    ),
    (
        &["run", "race", "--headless", "--for", "inf"],
        "positive number of seconds",
    ),
    (
        &["run", "race", "--headless", "--for", "1e20"],
        "at most 86400 (one day)",
    ),
    (
        &["record", "race", "-o", OUT, "--for", "1e20"],
        "at most 86400 (one day)",
    ),
    (
        &["export", "race", "-o", OUT, "--for", "1e20"],
        "at most 86400 (one day)",
    ),
    (
        &["run", "race", "--headless", "--step"],
        "--step is for the TUI",
    ),
    (&["run", "race", "--json"], "--headless"),
    (&["run", "race", "--for", "3"], "--headless"),
    (&["run", "race"], "not a terminal"),
    // Recording: the screen size, the key script, the speed.
    (
        &["record", "lock", "-o", OUT, "--size", "abc"],
        "--size abc: expected COLSxROWS",
    ),
    (
        &["record", "lock", "-o", OUT, "--size", "0x0"],
        "columns and rows go from 1",
    ),
    (
        &["record", "lock", "-o", OUT, "--keys", "1s:space 2q:s"],
        "token 2 \"2q:s\" (column 10)",
    ),
    (
        &["record", "lock", "-o", OUT, "--keys", "1s:nope"],
        "unknown key \"nope\"",
    ),
    (
        &["record", "lock", "-o", OUT, "--keys", "x:space"],
        "bad time \"x\"",
    ),
    (
        &["record", "lock", "-o", OUT, "--speed", "50"],
        "--speed 50 is out of range",
    ),
    // A program to trace that cannot start.
    (
        &["trace", "--headless", "--", "/no/such/python"],
        "cannot start /no/such/python",
    ),
];

/// Each line of [`REFUSED`] run on the binary: exit status 2 (not a signal), its words on
/// stderr, no panic, nothing on stdout, and no file where [`OUT`] pointed.
pub fn assert_all_refused(out: &Path) {
    let out_str = out.to_str().expect("a UTF-8 temporary path");
    for (line, want) in REFUSED {
        let args: Vec<&str> = line
            .iter()
            .map(|a| if *a == OUT { out_str } else { a })
            .collect();
        let run = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
            .args(&args)
            .output()
            .expect("the binary runs");
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: wanted {want:?} in: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(run.stdout.is_empty(), "{args:?}: wrote to stdout");
        assert!(!out.exists(), "{args:?}: wrote {}", out.display());
    }
}
