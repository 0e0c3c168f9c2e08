//! Possible deadlocks, before they happen: opposite lock orders are reported from a run
//! that did not deadlock, for a scenario (seeded) and for a traced Python program alike.

use std::process::Command;

fn summary(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(args)
        .output()
        .expect("the binary runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (text, out.status.code().unwrap_or(-1))
}

#[test]
fn a_seeded_scenario_that_did_not_deadlock_reports_the_possible_one() {
    for seed in ["1", "7"] {
        let (out, code) = summary(&[
            "run",
            "deadlock",
            "--variant",
            "lucky",
            "--headless",
            "--speed",
            "1000",
            "--seed",
            seed,
        ]);
        assert_eq!(code, 0, "the lucky run ends well\n{out}");
        assert!(!out.contains("DEADLOCK"), "{out}");
        assert!(
            out.contains("possible deadlock: left takes A then B; right takes B then A"),
            "{out}"
        );
    }
}

#[test]
fn the_same_order_everywhere_warns_of_nothing() {
    let (out, code) = summary(&[
        "run",
        "deadlock",
        "--variant",
        "ordered",
        "--headless",
        "--speed",
        "1000",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("possible deadlock"), "{out}");
}

#[test]
fn a_traced_program_that_got_lucky_reports_the_possible_deadlock() {
    let script = format!("{}/tests/python/ab_ba.py", env!("CARGO_MANIFEST_DIR"));
    let (out, code) = summary(&["trace", "--headless", "--", "python3", &script]);
    assert_eq!(code, 0, "the program's own status\n{out}");
    assert!(out.contains("done"), "{out}");
    assert!(
        out.contains("possible deadlock: t1 takes a then b; t2 takes b then a"),
        "{out}"
    );
}
