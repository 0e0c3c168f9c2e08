//! Bad input, fuzzed: arbitrary bytes and mutated event lines into `wire::read_stream`, and
//! whatever decodes folded into `World`, the checker and the log's words, and drawn on screens
//! of any size. Nothing panics; every bad line is reported with its own line number; every
//! good line is still read.

#[path = "common/state.rs"]
mod state;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use threadlanes::event::Event;
use threadlanes::model::check::Checker;
use threadlanes::model::{History, World, describe};
use threadlanes::runner::Mode;
use threadlanes::scenarios::{self, Config};
use threadlanes::ui::{self, Theme};
use threadlanes::wire::{self, LineError};

use state::{Hint, NextOp, RunState, Screen, Status, View};

const OPS: &[&str] = &[
    "worker",
    "object",
    "start",
    "exit",
    "join_begin",
    "join_end",
    "sleep_begin",
    "sleep_end",
    "say",
    "acquire_begin",
    "acquire_end",
    "release",
    "set",
    "clear",
    "wait_begin",
    "wait_end",
    "notify",
    "notify_all",
    "put_begin",
    "put_end",
    "get_begin",
    "get_end",
    "task_done",
    "submit",
    "task_begin",
    "task_end",
    "send",
    "recv_begin",
    "recv_end",
    "read",
    "write",
    "outcome",
];
const WORKER_KINDS: &[&str] = &["main", "thread", "process"];
const OBJECT_KINDS: &[&str] = &[
    "lock",
    "rlock",
    "semaphore",
    "bounded_semaphore",
    "event",
    "condition",
    "queue",
    "lifo_queue",
    "priority_queue",
    "barrier",
    "pool",
    "pipe",
    "value",
];
const HOWS: &[&str] = &["ok", "panic", "killed", "cancelled"];

/// Small ids, so generated events meet each other (the same worker, the same lock).
fn id() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..6, 1 => any::<u32>()]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9 ]{1,12}",
        any::<String>(),
        Just("\u{1F600}\u{0301}\t\"\\".to_string()),
    ]
}

/// A valid event line: every field an op may want, with the right type. Fields an op does
/// not use are there too, as a reader must ignore what it does not know.
fn valid_line() -> impl Strategy<Value = String> {
    (
        (0..OPS.len(), any::<u64>(), any::<u32>(), id(), id(), id()),
        (
            any::<u64>(),
            text(),
            any::<bool>(),
            any::<i64>(),
            0..WORKER_KINDS.len(),
            0..OBJECT_KINDS.len(),
            0..HOWS.len(),
        ),
    )
        .prop_map(|((op, t, pid, w, o, target), (n, s, b, v, wk, ok, how))| {
            let kind = if OPS[op] == "worker" {
                WORKER_KINDS[wk]
            } else {
                OBJECT_KINDS[ok]
            };
            let m = json!({
                "t": t, "pid": pid, "w": w, "op": OPS[op], "o": o, "target": target,
                "ms": n, "text": s, "name": s, "kind": kind, "daemon": b,
                "parent": target, "capacity": n, "how": HOWS[how], "msg": s, "ok": b,
                "depth": o, "value": v, "n": n, "item": s, "unfinished": n, "task": n,
                "result": s, "colour": "ignored",
            });
            // join_begin/join_end with "o" are the queue's join; without, a worker's.
            let mut m: Map<String, Value> = m.as_object().cloned().expect("an object");
            if OPS[op].starts_with("join_") && (t % 2 == 0) {
                m.remove("o");
            }
            // "value" is a u64 on a semaphore and an i64 on a Value.
            if matches!(OPS[op], "acquire_end" | "release") {
                m.insert("value".into(), json!(n));
            }
            Value::Object(m).to_string()
        })
}

/// A line that is usually wrong: a valid one cut, spliced, retyped or emptied of a field.
fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    (valid_line(), any::<usize>(), any::<u8>(), 0..6u8, text()).prop_map(
        |(line, at, byte, how, s)| {
            let mut b = line.into_bytes();
            let at = at % (b.len() + 1);
            match how {
                0 => b.truncate(at),
                1 => b.insert(at, if byte == b'\n' { b' ' } else { byte }),
                2 => {
                    if at < b.len() {
                        b.remove(at);
                    }
                }
                3 => {
                    // A field given the wrong type.
                    let mut v: Value = serde_json::from_slice(&b).expect("valid JSON");
                    let m = v.as_object_mut().expect("an object");
                    let keys: Vec<String> = m.keys().cloned().collect();
                    let k = &keys[at % keys.len()];
                    m.insert(k.clone(), json!([s]));
                    b = v.to_string().into_bytes();
                }
                4 => {
                    // A field missing.
                    let mut v: Value = serde_json::from_slice(&b).expect("valid JSON");
                    let m = v.as_object_mut().expect("an object");
                    for k in ["w", "op", "o", "target", "kind", "name", "depth", "task"] {
                        if at % 3 == 0 || k == "op" {
                            m.remove(k);
                        }
                    }
                    b = v.to_string().into_bytes();
                }
                _ => b = s.replace('\n', " ").into_bytes(),
            }
            b
        },
    )
}

/// One line of a stream: valid, mutated, arbitrary bytes, or blank.
#[derive(Clone, Debug)]
enum Line {
    Valid(String),
    Bad(Vec<u8>),
    Blank(String),
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        4 => valid_line().prop_map(Line::Valid),
        3 => mutated_line().prop_map(Line::Bad),
        1 => proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..40)
            .prop_map(Line::Bad),
        1 => "[ \t\r]{0,3}".prop_map(Line::Blank),
    ]
}

impl Line {
    fn bytes(&self) -> &[u8] {
        match self {
            Line::Valid(s) | Line::Blank(s) => s.as_bytes(),
            Line::Bad(b) => b,
        }
    }
}

/// Folds events everywhere a stream's events go: the world, the checker, the history and the
/// log's words (what headless prints).
fn fold_everywhere(events: &[Event]) {
    let mut world = World::default();
    let mut checker = Checker::new();
    let mut history = History::new(64);
    for ev in events {
        history.push(ev, &world);
        world.apply(ev);
        checker.check(ev);
        let _ = describe::log_line(&world, ev);
        let _ = describe::event(&world, ev);
    }
    for w in &world.workers {
        let _ = describe::state(&world, w);
    }
    let _ = history.world_after(history.end() / 2);
}

/// 128 cases a test by default (quick in CI); PROPTEST_CASES=N for a deeper run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Any bytes at all: no panic, errors numbered by line in order, none past the last line.
    #[test]
    fn arbitrary_bytes_never_panic_and_errors_carry_their_line(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048)
    ) {
        let lines = bytes.split(|b| *b == b'\n').count() as u64;
        let mut last = 0;
        let mut events = Vec::new();
        for r in wire::read_stream(&bytes[..]) {
            let n = match &r {
                Ok(_) => last + 1,
                Err(LineError { line, what }) => {
                    prop_assert!(!what.is_empty());
                    *line
                }
            };
            prop_assert!(n > last && n <= lines, "line {n} after {last} of {lines}");
            last = n;
            if let Ok(e) = r {
                events.push(e);
            }
        }
        fold_everywhere(&events);
    }

    /// A stream of good, mutated, garbage and blank lines: each good line is read as it was
    /// written, each bad one reported with its own number, and nothing is lost or invented.
    #[test]
    fn every_valid_line_is_read_and_every_bad_one_reported_with_its_number(
        lines in proptest::collection::vec(line(), 0..60),
        crlf in any::<bool>(),
    ) {
        let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let stream: Vec<u8> = lines.iter().map(Line::bytes).collect::<Vec<_>>().join(sep);
        let got: Vec<_> = wire::read_stream(&stream[..]).collect();
        let mut got = got.into_iter();
        let mut events = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let n = i as u64 + 1;
            let text = std::str::from_utf8(l.bytes()).map(str::trim);
            if matches!(text, Ok("")) {
                continue; // blank lines are skipped, not reported
            }
            let r = got.next();
            prop_assert!(r.is_some(), "line {n} was lost");
            match (l, r.expect("checked")) {
                (Line::Valid(s), Ok(e)) => {
                    let again = wire::decode(s);
                    prop_assert_eq!(Ok(&e), again.as_ref());
                    // What we read, written again, reads the same.
                    let round = wire::decode(&wire::encode(&e));
                    prop_assert_eq!(Ok(&e), round.as_ref());
                    events.push(e);
                }
                (Line::Valid(s), Err(e)) => prop_assert!(false, "valid line {n} refused: {e}: {s}"),
                (_, Ok(e)) => {
                    // A mutation may leave a line valid: then it must decode as itself.
                    let again = wire::decode(text.expect("decoded, so UTF-8"));
                    prop_assert_eq!(Ok(&e), again.as_ref());
                    events.push(e);
                }
                (_, Err(e)) => {
                    prop_assert_eq!(e.line, n, "{}", e);
                    prop_assert!(!e.what.is_empty());
                    prop_assert!(e.to_string().starts_with(&format!("line {n}: ")), "{}", e);
                }
            }
        }
        prop_assert!(got.next().is_none(), "more results than lines");
        fold_everywhere(&events);
    }

    /// Valid events in any order on a few ids (releases of free locks, ends without begins,
    /// exits twice, objects redeclared with another kind): the model never panics.
    #[test]
    fn the_model_folds_any_sequence_of_valid_events(
        lines in proptest::collection::vec(valid_line(), 0..200)
    ) {
        let events: Vec<Event> = lines
            .iter()
            .map(|l| wire::decode(l).expect("a valid line"))
            .collect();
        fold_everywhere(&events);
    }
}

/// Draws the run screen of `world` at `w`×`h` with the given view; panics if a widget does.
#[allow(clippy::too_many_arguments)]
fn draw_run_screen(
    world: &World,
    w: u16,
    h: u16,
    view: View,
    scenario: usize,
    mode: Mode,
    ascii: bool,
    text: &str,
) {
    let all = scenarios::all();
    let info = &all[scenario % all.len()].info;
    let config = Config::default_for(info);
    let status = Status {
        run: [RunState::Running, RunState::Paused, RunState::Finished][scenario % 3],
        speed: 0.1,
        seed: u64::MAX,
        mode,
        scrub: (!text.is_empty()).then(|| text.to_string()),
        flash: (text.len() % 2 == 1).then(|| text.to_string()),
        dropped: 0,
    };
    let hints = vec![
        Hint {
            key: "space",
            what: text.to_string(),
        },
        Hint {
            key: "q",
            what: "quit".into(),
        },
    ];
    let next_ops: Vec<NextOp> = world
        .workers
        .iter()
        .map(|wk| NextOp {
            w: wk.id,
            text: format!("next: {text}"),
            ready: wk.id % 2 == 0,
            brief: None,
        })
        .collect();
    let theme = if ascii {
        Theme::ascii()
    } else {
        Theme::plain()
    };
    let screen = Screen {
        world,
        info,
        config: &config,
        status: &status,
        view: &view,
        hints: &hints,
        all_keys: &hints,
        theme,
        next_ops: &next_ops,
    };
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("a test terminal");
    term.draw(|f| ui::draw(f, &screen)).expect("a frame");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: config().cases / 2, ..config() })]

    /// Any world folded from valid events, at any size from 1×1 to 300×100, with any view
    /// (help, details, scrolled past the end, a selected lane that does not exist): the run
    /// screen draws without panicking.
    #[test]
    fn the_run_screen_draws_any_world_at_any_size(
        lines in proptest::collection::vec(valid_line(), 0..80),
        (w, h) in (1u16..=300, 1u16..=100),
        (selected, object_scroll) in (0usize..20, 0usize..20),
        (help, details, ascii) in (any::<bool>(), any::<bool>(), any::<bool>()),
        (graph, captions) in (any::<bool>(), any::<bool>()),
        (scenario, mode) in (0usize..64, prop_oneof![Just(Mode::Free), Just(Mode::Step), Just(Mode::Seeded)]),
        text in text(),
    ) {
        let mut world = World::default();
        for l in &lines {
            world.apply(&wire::decode(l).expect("a valid line"));
        }
        let view = View { selected, help, details, graph, captions, object_scroll, explain_page: usize::from(selected as u8 % 3), folds: vec![(selected as u32 % 4, selected % 2 == 0)], zoom: selected % 5 };
        draw_run_screen(&world, w, h, view, scenario, mode, ascii, &text);
    }
}

#[test]
fn a_bad_line_says_where_and_what() {
    let input = "{\"w\":0,\"op\":\"start\"}\n{\"w\":0,\"op\":\"acquire_begin\",\"o\":\"one\"}\n\
                 {\"w\":-1,\"op\":\"start\"}\n{\"w\":0,\"op\":\"start\"";
    let got: Vec<_> = wire::read_stream(input.as_bytes()).collect();
    assert_eq!(got.len(), 4);
    assert!(got[0].is_ok());
    let msgs: Vec<String> = got[1..]
        .iter()
        .map(|r| r.as_ref().unwrap_err().to_string())
        .collect();
    assert!(
        msgs[0].starts_with("line 2: ") && msgs[0].contains("\"o\""),
        "{msgs:?}"
    );
    assert!(
        msgs[1].starts_with("line 3: ") && msgs[1].contains("\"w\""),
        "{msgs:?}"
    );
    assert!(
        msgs[2].starts_with("line 4: ") && msgs[2].contains("JSON"),
        "{msgs:?}"
    );
}

/// Found by the fuzzing above: a lock taken before it is declared, then declared an RLock and
/// released, made the checker count the depth below zero (a panic in a debug build).
#[test]
fn the_checker_survives_an_rlock_released_below_depth_zero() {
    let lines = [
        r#"{"w":3,"op":"acquire_end","o":3,"ok":true}"#,
        r#"{"w":0,"op":"object","o":3,"name":"r","kind":"rlock"}"#,
        r#"{"w":3,"op":"release","o":3}"#,
    ];
    let events: Vec<Event> = lines
        .iter()
        .map(|l| wire::decode(l).expect("a valid line"))
        .collect();
    let mut checker = Checker::new();
    for e in &events {
        checker.check(e);
    }
    assert!(
        checker
            .violations
            .iter()
            .any(|v| v.contains("more often than acquired")),
        "{:?}",
        checker.violations
    );
    fold_everywhere(&events);
}
