//! Seeded runs of a traced Python program: the same seed does the same sequence of traced
//! operations every run, the schedule it prints replays it, sleeps pass on a logical clock,
//! and `explore` finds the lost update, the AB/BA deadlock and the missed notify of the
//! programs in tests/python/ within a bounded number of runs.

mod seeded_runs;

use seeded_runs::{Ran, assert_ab_ba_cycle, explore_failing, seeded_run};
use std::time::{Duration, Instant};
use threadlanes::explore::{self, Settings, Verdict};
use threadlanes::runner::Mode;
use threadlanes::source::traced::{Options, Output, Strategy};
use threadlanes::source::{Source, TracedSource};

fn script(name: &str) -> Vec<String> {
    let path = format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"));
    vec!["python3".into(), path]
}

fn seeded(name: &str, strategy: Strategy) -> Ran {
    seeded_run(&script(name), strategy)
}

#[test]
fn the_same_seed_does_the_same_operations_and_its_schedule_replays_them() {
    for seed in [3, 4] {
        let a = seeded("lost_update", Strategy::Random(seed));
        let b = seeded("lost_update", Strategy::Random(seed));
        assert_eq!(a.ops, b.ops, "seed {seed}: two runs differ");
        assert_eq!(a.schedule, b.schedule);
        assert_eq!(a.stdout, b.stdout);
        let schedule = a.schedule.parse().expect("the schedule printed parses");
        let c = seeded("lost_update", Strategy::Replay(schedule));
        assert_eq!(
            a.ops, c.ops,
            "seed {seed}: the replay of {} differs",
            a.schedule
        );
        assert_eq!(a.stdout, c.stdout);
    }
}

#[test]
fn the_seed_decides_which_updates_are_lost() {
    let mut outs: Vec<String> = (1..=6)
        .map(|s| seeded("lost_update", Strategy::Random(s)).stdout)
        .collect();
    outs.sort();
    outs.dedup();
    assert!(outs.len() > 1, "every seed did the same: {outs:?}");
}

#[test]
fn seeded_sleeps_pass_on_a_logical_clock() {
    // Twenty seconds of sleeps in four threads.
    let r = seeded("naps", Strategy::Random(1));
    assert!(r.stdout.contains("total 100"), "{}", r.stdout);
    assert!(r.took < Duration::from_secs(8), "took {:?}", r.took);
}

fn explore(name: &str) -> explore::Found {
    explore_failing(script(name))
}

#[test]
fn explore_finds_the_lost_update_and_its_schedule_replays_it() {
    let f = explore("bank");
    let why = f.outcome.failure.clone().unwrap_or_default();
    assert!(why.starts_with("uncaught exception in main:"), "{why}");
    assert!(why.contains("AssertionError"), "{why}");
    let report = explore::report(&f, &script("bank"));
    assert!(report.contains("trace --replay"), "{report}");
    assert!(
        report.contains("alice") && report.contains("bob"),
        "{report}"
    );
    let again = seeded(
        "bank",
        Strategy::Replay(f.schedule.parse().expect("parses")),
    );
    assert!(!again.stdout.contains("balance 150"), "{}", again.stdout);
}

#[test]
fn explore_finds_the_ab_ba_deadlock() {
    let f = explore("ab_ba_rare");
    assert_ab_ba_cycle(&f);
    let report = explore::report(&f, &script("ab_ba_rare"));
    assert!(report.contains("── switch: "), "{report}");
}

#[test]
fn explore_finds_the_missed_notify() {
    let f = explore("missed_notify");
    let why = f.outcome.failure.clone().unwrap_or_default();
    assert!(why.contains("consumer waits on condition ready"), "{why}");
}

#[test]
fn explore_passes_a_program_without_a_bug() {
    let s = Settings {
        argv: script("lock"),
        runs: 6,
        time: None,
        seed: 1,
        jobs: 2,
        progress: false,
    };
    match explore::search(&s).expect("python3 starts") {
        Verdict::Passed { runs, possible, .. } => {
            assert_eq!(runs, 6);
            assert!(possible.is_empty(), "{possible:?}");
        }
        Verdict::Failed(f) => panic!("lock.py failed: {:?}", f.outcome.failure),
    }
}

#[test]
fn explore_gives_each_run_an_empty_stdin_not_its_own() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut explore = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["explore", "--runs", "1", "--"])
        .args(script("asks"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("threadlanes starts");
    let mut stdin = explore.stdin.take().expect("piped");
    // A run that read our stdin would greet alice and pass.
    let _ = stdin.write_all(b"alice\nbob\n");
    drop(stdin);
    let out = explore.wait_with_output().expect("explore ends");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("EOFError") && !text.contains("hello"),
        "{text}"
    );
}

#[test]
fn a_seeded_run_that_did_not_deadlock_warns_of_the_lock_order_with_both_places() {
    // No picks: each thread goes on while it can, so t1 is done before t2 takes a lock.
    let o = explore::run(
        &script("ab_ba_rare"),
        Strategy::Replay("-".parse().expect("parses")),
        explore::RUN_LIMIT,
    )
    .expect("python3 starts");
    assert_eq!(o.failure, None);
    assert_eq!(
        o.possible,
        vec![
            "t1 takes a then b (ab_ba_rare.py:12); t2 takes b then a (ab_ba_rare.py:18)"
                .to_string()
        ]
    );
}

/// `R` under the TUI starts the traced program again, seeded, on the schedule of the run
/// shown: the same interleaving, the same output.
#[test]
fn replay_key_runs_a_traced_program_again_on_its_schedule() {
    use threadlanes::app::App;
    use threadlanes::keys::Action;
    use threadlanes::scenarios::Info;
    static ABOUT: Info = Info {
        name: "trace",
        title: "python3 lost_update.py",
        lesson: "",
        explain: "",
        variants: &[],
        params: &[],
    };
    fn start(strategy: Strategy) -> TracedSource {
        let opts = Options {
            speed: 1.0,
            output: Output::Capture,
            tui: true,
        };
        TracedSource::start_in(&script("lost_update"), &opts, Mode::Seeded, Some(strategy))
            .expect("python3 starts")
    }
    let mut app = App::watching(Box::new(start(Strategy::Random(4))), &ABOUT, 1.0)
        .seeded(4)
        .replayable(Box::new(move |schedule: Option<String>| {
            let s = schedule?.parse().ok()?;
            Some(Box::new(start(Strategy::Replay(s))) as Box<dyn Source>)
        }));
    let finish = |app: &mut App| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !app.source().is_some_and(|s| s.is_finished()) {
            assert!(Instant::now() < deadline, "the program never ended");
            app.pump();
            std::thread::sleep(Duration::from_millis(10));
        }
        let s = app.source().expect("a source");
        (
            s.schedule(),
            String::from_utf8_lossy(&s.captured().0).into_owned(),
        )
    };
    let first = finish(&mut app);
    app.update(Action::Replay);
    let flash = app.flash_text().unwrap_or_default().to_string();
    assert!(flash.starts_with("replaying schedule"), "{flash}");
    let second = finish(&mut app);
    assert_eq!(first, second);
}

/// A script that is not there fails on the first run with no order chosen: explore says it
/// is no interleaving's doing rather than offering a schedule to replay.
#[test]
fn explore_says_a_failure_no_order_caused_is_not_an_interleaving() {
    let argv = vec![
        "python3".to_string(),
        "/nonexistent/threadlanes-test.py".into(),
    ];
    let f = explore_failing(argv.clone());
    assert_eq!((f.run, f.schedule.as_str()), (0, "-"));
    let report = explore::report(&f, &argv);
    assert!(
        report.starts_with("FAILED before any choice of order"),
        "{report}"
    );
    assert!(!report.contains("--replay"), "{report}");
    assert!(report.contains("can't open file"), "{report}");
}
