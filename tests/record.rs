//! `record` and `export` end to end: the files they write, read back as a player and a trace
//! viewer would.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use threadlanes::cli::{Cli, Command as Sub};
use threadlanes::record;

/// Where a test writes its file: the temporary directory, one name per test and process.
fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("threadlanes-record-{}-{name}", std::process::id()))
}

/// The file's text, and the file removed: the tests leave nothing behind.
fn take(path: &PathBuf) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let _ = std::fs::remove_file(path);
    text
}

/// Runs `threadlanes ARGS...` in-process, as main does; the file it wrote.
fn run(args: &[&str]) -> Result<String, String> {
    use clap::Parser;
    let cli = Cli::try_parse_from(std::iter::once("threadlanes").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    match cli.command {
        Some(Sub::Record(a)) => record::record_cmd(&a),
        Some(Sub::Export(a)) => record::export_cmd(&a),
        other => panic!("not record/export: {other:?}"),
    }
}

fn export(args: &[&str], name: &str) -> Value {
    let out = temp(name);
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    run(&all).unwrap();
    serde_json::from_str(&take(&out)).expect("the trace is JSON")
}

/// Checks what a viewer needs: named tracks, nested slices, paired flows. Returns the
/// track names and how many flows there are.
fn check_trace(trace: &Value) -> (Vec<String>, usize) {
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let mut names: BTreeMap<(u64, u64), String> = BTreeMap::new();
    let mut slices: HashMap<(u64, u64), Vec<(f64, f64)>> = HashMap::new();
    let mut flows: HashMap<u64, (usize, usize, f64, f64)> = HashMap::new();
    let key = |e: &Value| (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
    for e in events {
        let ph = e["ph"].as_str().expect("ph");
        match ph {
            "M" if e["name"] == "thread_name" => {
                let name = e["args"]["name"].as_str().unwrap().to_string();
                assert!(!name.is_empty());
                names.insert(key(e), name);
            }
            "M" => {}
            "X" => {
                let ts = e["ts"].as_f64().unwrap();
                let dur = e["dur"].as_f64().unwrap();
                assert!(dur >= 0.0, "{e}");
                assert!(e["name"].as_str().is_some_and(|n| !n.is_empty()), "{e}");
                slices.entry(key(e)).or_default().push((ts, ts + dur));
            }
            "i" => assert!(e["ts"].as_f64().is_some(), "{e}"),
            "s" | "f" => {
                assert_eq!(e["bp"], "e", "{e}");
                let id = e["id"].as_u64().expect("a flow id");
                let f = flows.entry(id).or_insert((0, 0, 0.0, 0.0));
                let ts = e["ts"].as_f64().unwrap();
                if ph == "s" {
                    f.0 += 1;
                    f.2 = ts;
                } else {
                    f.1 += 1;
                    f.3 = ts;
                }
                assert!(
                    names.contains_key(&key(e)),
                    "a flow on an unnamed track: {e}"
                );
            }
            other => panic!("unexpected phase {other}: {e}"),
        }
        if ph != "M" {
            assert!(
                names.contains_key(&key(e)),
                "an event on a track with no name: {e}"
            );
        }
    }
    // Per track, sorted by start (longest first at one start): each slice lies inside the
    // one open before it, or starts after it ended.
    const EPS: f64 = 1e-3;
    for (track, mut v) in slices {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut open: Vec<(f64, f64)> = Vec::new();
        for s in v {
            while open.last().is_some_and(|top| s.0 >= top.1 - EPS) {
                open.pop();
            }
            if let Some(top) = open.last() {
                assert!(
                    s.1 <= top.1 + EPS,
                    "slices overlap on track {track:?}: {top:?} and {s:?}"
                );
            }
            open.push(s);
        }
    }
    for (id, (s, f, t0, t1)) in &flows {
        assert_eq!((*s, *f), (1, 1), "flow {id}: one start and one finish");
        assert!(t0 <= t1, "flow {id} goes back in time");
    }
    (names.into_values().collect(), flows.len())
}

#[test]
fn export_writes_a_trace_with_a_track_per_worker_nested_slices_and_flows() {
    let trace = export(&["producer-consumer", "--seed", "3"], "pc.json");
    let (names, flows) = check_trace(&trace);
    for w in [
        "main",
        "producer-1",
        "producer-2",
        "producer-3",
        "consumer-1",
        "consumer-2",
    ] {
        assert!(names.iter().any(|n| n == w), "no track {w}: {names:?}");
    }
    assert!(flows > 0, "puts lead to gets: there are flows");
    let events = trace["traceEvents"].as_array().unwrap();
    let has = |ph: &str, prefix: &str| {
        events
            .iter()
            .any(|e| e["ph"] == ph && e["name"].as_str().unwrap().starts_with(prefix))
    };
    assert!(has("X", "sleeping"), "sleep spans");
    // Named in the lanes' and the log's words.
    assert!(
        has("X", "blocked on put to queue products (full)"),
        "blocked spans"
    );
    assert!(has("i", "put "), "put instants");
    assert!(has("i", "got "), "get instants");
    assert!(has("i", "says: "), "say instants");
    let blocked = events
        .iter()
        .find(|e| e["ph"] == "X" && e["cat"] == "blocked")
        .unwrap();
    assert_eq!(blocked["args"]["object"], "products");
    assert_eq!(trace["otherData"]["schedule"], "seeded 3");
}

#[test]
fn export_draws_flows_from_releases_and_sets() {
    let lock = export(
        &["lock", "--variant", "with-lock", "--seed", "2"],
        "lock.json",
    );
    check_trace(&lock);
    let flows = |t: &Value, name: &str| {
        t["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == "s" && e["name"].as_str().unwrap().starts_with(name))
            .count()
    };
    assert!(flows(&lock, "lock") > 0, "a release leads to an acquire");
    let light = export(&["traffic-light", "--seed", "1"], "light.json");
    check_trace(&light);
    assert!(
        flows(&light, "event ") > 0,
        "a set leads to the waits it ends"
    );
    // Free mode (real scheduling) gives a well-formed trace too.
    let free = export(&["semaphore", "--for", "3"], "sem.json");
    check_trace(&free);
}

/// The asciicast: header and events checked, and the screen the events draw.
fn replay(cast: &str) -> (u16, u16, vt100::Parser, f64) {
    let mut lines = cast.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    let w = header["width"].as_u64().unwrap() as u16;
    let h = header["height"].as_u64().unwrap() as u16;
    let mut parser = vt100::Parser::new(h, w, 0);
    let mut last = 0.0;
    for line in lines {
        let ev: Value = serde_json::from_str(line).unwrap();
        let ev = ev.as_array().unwrap();
        assert_eq!(ev.len(), 3, "{line}");
        let t = ev[0].as_f64().unwrap();
        assert!(t >= last, "time goes back: {last} then {t}");
        last = t;
        assert_eq!(ev[1], "o");
        parser.process(ev[2].as_str().unwrap().as_bytes());
    }
    (w, h, parser, last)
}

fn record_to(args: &[&str], name: &str) -> String {
    let out = temp(name);
    let mut all = vec!["record"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    run(&all).unwrap();
    take(&out)
}

#[test]
fn record_writes_an_asciicast_that_replays_to_the_scenario_screen() {
    let keys = "1s:space 1.5s:space 2s:s 2.5s:. 3s:. 3.5s:right 4s:s 4.5s:+";
    let args = ["producer-consumer", "--seed", "4", "--keys", keys];
    let cast = record_to(&args, "pc.cast");
    let (w, h, parser, last) = replay(&cast);
    assert_eq!((w, h), (100, 30));
    assert!(last > 4.5, "the recording lasts past its keys: {last}");
    let screen = parser.screen().contents();
    for s in [
        "producer-1",
        "consumer-2",
        "queue products",
        "queue materials",
    ] {
        assert!(screen.contains(s), "no {s} on the last screen:\n{screen}");
    }
    assert!(screen.contains("finished"), "the run ended:\n{screen}");
    // The same seed and keys: the same bytes.
    assert_eq!(cast, record_to(&args, "pc2.cast"));
}

/// A recording takes at most a small multiple of its length, even of a run that makes
/// thousands of events in every virtual millisecond (it then plays slower than the run's
/// clock, and says so), and stays the same byte for byte.
#[test]
fn record_of_a_flood_is_quick_and_says_it_plays_slower() {
    let args = ["stress", "--seed", "9", "--for", "1"];
    let start = std::time::Instant::now();
    let out = temp("stress.cast");
    let mut all = vec!["record"];
    all.extend_from_slice(&args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    let said = run(&all).unwrap();
    let took = start.elapsed();
    eprintln!("record stress --for 1 took {took:?}");
    assert!(took.as_secs_f64() < 8.0, "took {took:?}");
    assert!(said.contains("plays slower than its own clock"), "{said}");
    let cast = take(&out);
    let (_, _, parser, last) = replay(&cast);
    assert!(last <= 1.0 + 1e-9, "--for 1 stops at 1 s: {last}");
    assert!(parser.screen().contents().contains("w0"));
    assert_eq!(cast, record_to(&args, "stress2.cast"));
}

#[test]
fn record_sizes_and_lengths() {
    let cast = record_to(
        &["lock", "--seed", "1", "--size", "120x32", "--for", "2"],
        "lock.cast",
    );
    let (w, h, parser, last) = replay(&cast);
    assert_eq!((w, h), (120, 32));
    assert!(last <= 2.0 + 1e-9, "--for 2 stops at 2 s: {last}");
    assert!(parser.screen().contents().contains("job1"));
    let small = record_to(
        &["lock", "--seed", "1", "--size", "60x20", "--for", "1"],
        "small.cast",
    );
    let (_, _, parser, _) = replay(&small);
    assert!(parser.screen().contents().contains("too small"));
}

#[test]
fn export_draws_the_get_that_made_room_for_a_blocked_put() {
    let trace = export(&["producer-consumer", "--seed", "3"], "pc-room.json");
    check_trace(&trace);
    let events = trace["traceEvents"].as_array().unwrap();
    let name_of: HashMap<u64, &str> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| {
            (
                e["tid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    // Flow starts by id: (tid, name); their finishes pair with them.
    let starts: HashMap<u64, u64> = events
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| (e["id"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
        .collect();
    let consumer_to_producer = events.iter().filter(|e| e["ph"] == "f").any(|e| {
        let from = starts[&e["id"].as_u64().unwrap()];
        let to = e["tid"].as_u64().unwrap();
        name_of[&from].starts_with("consumer") && name_of[&to].starts_with("producer")
    });
    assert!(
        consumer_to_producer,
        "a consumer's get woke a producer blocked on put"
    );
}

/// The slices of one track (by its thread name): (category, name, start, end, args).
fn slices_of<'a>(trace: &'a Value, track: &str) -> Vec<(&'a str, &'a str, f64, f64, &'a Value)> {
    let events = trace["traceEvents"].as_array().unwrap();
    let tid = events
        .iter()
        .find(|e| e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == track)
        .and_then(|e| e["tid"].as_u64())
        .unwrap_or_else(|| panic!("no track {track}"));
    events
        .iter()
        .filter(|e| e["ph"] == "X" && e["tid"].as_u64() == Some(tid))
        .map(|e| {
            let ts = e["ts"].as_f64().unwrap();
            (
                e["cat"].as_str().unwrap(),
                e["name"].as_str().unwrap(),
                ts,
                ts + e["dur"].as_f64().unwrap(),
                &e["args"],
            )
        })
        .collect()
}

/// What the lanes show of a deadlock is in its trace: each side holding its lock, then
/// blocked on the other's until the trace ends (those slices marked as open there), and the
/// moment the cycle formed, named.
#[test]
fn export_of_a_deadlock_has_its_holding_and_blocked_slices() {
    let trace = export(&["deadlock", "--seed", "1"], "deadlock.json");
    check_trace(&trace);
    let end = trace["otherData"]["end_us"].as_f64().unwrap();
    assert_eq!(trace["otherData"]["end"], "stuck");
    for (me, mine, theirs) in [("left", "A", "B"), ("right", "B", "A")] {
        let slices = slices_of(&trace, me);
        let hold = slices
            .iter()
            .find(|s| s.0 == "holding" && s.1 == format!("holds lock {mine}"))
            .unwrap_or_else(|| panic!("{me} holds {mine}: {slices:?}"));
        let blocked = slices
            .iter()
            .find(|s| s.0 == "blocked" && s.1 == format!("waiting for lock {theirs}"))
            .unwrap_or_else(|| panic!("{me} blocked on {theirs}: {slices:?}"));
        assert!(blocked.3 > blocked.2, "the block lasts: {blocked:?}");
        assert!(
            hold.2 <= blocked.2 && blocked.3 <= hold.3,
            "blocked while holding"
        );
        for open in [hold, blocked] {
            assert_eq!(open.3, end, "open to the end: {open:?}");
            assert_eq!(open.4["open_at_end"], "stuck", "{open:?}");
        }
    }
    let events = trace["traceEvents"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["ph"] == "i"
            && e["name"]
                .as_str()
                .unwrap()
                .starts_with("deadlock: left waits for B held by right")),
        "the moment the cycle forms"
    );
}

/// A sleep while holding a lock is inside the holding slice, as the lane shows it.
#[test]
fn export_nests_a_sleep_while_holding_in_the_holding_slice() {
    let trace = export(
        &[
            "lock-hold",
            "--variant",
            "inside",
            "--set",
            "threads=2",
            "--seed",
            "1",
        ],
        "lock-hold.json",
    );
    check_trace(&trace);
    let events = trace["traceEvents"].as_array().unwrap();
    let tracks: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    let nested = tracks.iter().any(|t| {
        let slices = slices_of(&trace, t);
        slices.iter().filter(|s| s.0 == "sleeping").any(|sleep| {
            slices
                .iter()
                .any(|h| h.0 == "holding" && h.2 <= sleep.2 && sleep.3 <= h.3)
        })
    });
    assert!(nested, "a sleep inside a holding slice");
}

/// Tasks in an export and a recording as any worker: a track for each task with its awaits
/// as slices, and their lanes on the recorded screen.
#[test]
fn export_and_record_take_tasks_like_any_worker() {
    let args = ["coroutines", "--seed", "3", "--set", "tasks=4"];
    let trace = export(&args, "coroutines.json");
    let (names, _) = check_trace(&trace);
    for w in ["main", "main()", "fetch-0", "fetch-3"] {
        assert!(names.iter().any(|n| n == w), "no track {w}: {names:?}");
    }
    let events = trace["traceEvents"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "X" && e["name"].as_str().unwrap().starts_with("sleeping")),
        "a task's awaited sleep is a slice"
    );
    let mut rec = args.to_vec();
    rec.extend(["--for", "2"]);
    let (_, _, parser, _) = replay(&record_to(&rec, "coroutines.cast"));
    let screen = parser.screen().contents();
    assert!(screen.contains("fetch-3"), "no task lane:\n{screen}");
}

/// The run's outcome is an instant of the whole trace, not of the worker that said it (in
/// `daemon` the last one killed, task-4): scoped globally, on the first track.
#[test]
fn export_puts_the_outcome_on_no_workers_track() {
    let trace = export(&["daemon", "--seed", "1"], "daemon.json");
    check_trace(&trace);
    let events = trace["traceEvents"].as_array().unwrap();
    let tid_of = |name: &str| {
        events
            .iter()
            .find(|e| e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == name)
            .and_then(|e| e["tid"].as_u64())
            .unwrap_or_else(|| panic!("no track {name}"))
    };
    let outcome = events
        .iter()
        .find(|e| e["ph"] == "i" && e["cat"] == "outcome")
        .expect("the outcome is an instant");
    assert_eq!(outcome["s"], "g", "scoped to the whole trace: {outcome}");
    assert_ne!(outcome["tid"].as_u64(), Some(tid_of("task-4")), "{outcome}");
    assert_eq!(outcome["tid"].as_u64(), Some(tid_of("main")), "{outcome}");
    assert!(
        outcome["name"]
            .as_str()
            .unwrap()
            .starts_with("outcome: main ended")
    );
}
