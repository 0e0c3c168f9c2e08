//! Snapshots of the run screen and the picker, drawn with `Theme::plain()` into ratatui's
//! `TestBackend` from worlds folded out of hand-written event streams; and a sweep of every
//! screen over terminal sizes from 1×1 to 300×100 that must never panic.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use threadlanes::model::World;
use threadlanes::scenarios::info::{Config, Info, Param, Variant};
use threadlanes::ui::{self, Picker, Screen, Theme};
use threadlanes::view::{Hint, RunState, Status, View};
use threadlanes::wire;

// ---------------------------------------------------------------- fixtures

const S: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

/// A world folded from JSON Lines (blank lines skipped).
fn world(src: &str) -> World {
    let mut w = World::default();
    for (i, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ev = wire::decode(line).unwrap_or_else(|e| panic!("fixture line {}: {e}", i + 1));
        w.apply(&ev);
    }
    w
}

fn worker(w: u32, name: &str, kind: &str) -> String {
    format!(
        r#"{{"t":0,"pid":4242,"w":{w},"op":"worker","name":"{name}","kind":"{kind}","parent":0}}"#
    )
}

fn op(t: u64, w: u32, rest: &str) -> String {
    format!(r#"{{"t":{t},"pid":4242,"w":{w},{rest}}}"#)
}

static LOCK: Info = Info {
    name: "lock",
    title: "Two jobs and one lock",
    lesson: "without a lock the jobs interleave; with one each runs whole",
    explain: "job1 adds 1 and job2 adds 10 to a shared counter, five times each, printing as they go. \
              With the lock, whoever takes it first runs all five steps before the other may start: \
              watch the waiting lane turn red while the holder's lane is solid.\n\
              Flip to the version without the lock to see the prints interleave.",
    variants: &[
        Variant {
            name: "with-lock",
            label: "with lock",
        },
        Variant {
            name: "no-lock",
            label: "without lock",
        },
    ],
    params: &[],
};

static SEMAPHORE: Info = Info {
    name: "semaphore",
    title: "BoundedSemaphore(5)",
    lesson: "five slots: five workers inside, the rest queue",
    explain: "Eight workers each want one of five slots. Five get in at once; the other three \
              wait in order until someone leaves. A BoundedSemaphore also refuses a release \
              that would make more slots than it started with.",
    variants: &[],
    params: &[Param {
        name: "workers",
        default: 8,
        min: 1,
        max: 100,
        help: "how many workers",
    }],
};

static LIGHT: Info = Info {
    name: "traffic-light",
    title: "An Event as a traffic light",
    lesson: "cars wait while the light is red and go when it turns green",
    explain: "The lighter thread sets the event (green) and clears it (red) on a timer. Cars call \
              wait(): on red they block, on green they pass at once.",
    variants: &[],
    params: &[],
};

static PRODCONS: Info = Info {
    name: "producer-consumer",
    title: "Producers and consumers",
    lesson: "a bounded queue makes a fast producer wait for slow consumers",
    explain: "The producer puts items into a queue of at most five; two consumers take them out \
              and work on each for a while. When the queue is full the producer blocks on put \
              until a consumer makes room.",
    variants: &[],
    params: &[
        Param {
            name: "producers",
            default: 1,
            min: 1,
            max: 5,
            help: "producer threads",
        },
        Param {
            name: "consumers",
            default: 2,
            min: 1,
            max: 5,
            help: "consumer threads",
        },
    ],
};

static DEADLOCK: Info = Info {
    name: "deadlock",
    title: "Two locks in opposite order",
    lesson: "each holds what the other needs: nobody moves again",
    explain: "left takes A then B; right takes B then A. If each gets its first lock before the \
              other's second, both wait forever.",
    variants: &[
        Variant {
            name: "opposite",
            label: "opposite order",
        },
        Variant {
            name: "same",
            label: "same order",
        },
    ],
    params: &[],
};

fn lock_world() -> World {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        worker(1, "job1", "thread"),
        worker(2, "job2", "thread"),
        op(50 * MS, 1, r#""op":"start""#),
        op(60 * MS, 2, r#""op":"start""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_begin""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_end""#),
        op(150 * MS, 1, r#""op":"say","text":"job1: counter = 1""#),
        op(200 * MS, 2, r#""o":1,"op":"acquire_begin""#),
        op(300 * MS, 0, r#""op":"join_begin","target":1"#),
        op(400 * MS, 1, r#""op":"sleep_begin","ms":400"#),
        op(800 * MS, 1, r#""op":"sleep_end""#),
        op(900 * MS, 1, r#""op":"say","text":"job1: counter = 2""#),
        op(1100 * MS, 1, r#""op":"sleep_begin","ms":400"#),
    ];
    world(&lines.join("\n"))
}

/// BoundedSemaphore(5), eight workers: w1–w5 inside, w6–w8 waiting in that order.
fn semaphore_world() -> World {
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"slots","kind":"bounded_semaphore","capacity":5"#,
        ),
    ];
    for i in 1..=8u32 {
        lines.push(worker(i, &format!("w{i}"), "thread"));
        lines.push(op(i as u64 * 10 * MS, i, r#""op":"start""#));
    }
    let mut value = 5;
    for i in 1..=8u32 {
        let t = 100 * MS + i as u64 * 50 * MS;
        lines.push(op(t, i, r#""o":1,"op":"acquire_begin""#));
        if i <= 5 {
            value -= 1;
            lines.push(op(
                t,
                i,
                &format!(r#""o":1,"op":"acquire_end","value":{value}"#),
            ));
            lines.push(op(t + 10 * MS, i, r#""op":"sleep_begin","ms":2000"#));
        }
    }
    lines.push(op(900 * MS, 0, r#""op":"join_begin","target":1"#));
    lines.push(op(
        1200 * MS,
        0,
        r#""op":"say","text":"5 inside, 3 waiting""#,
    ));
    world(&lines.join("\n"))
}

fn light_world() -> World {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"light","kind":"event""#),
        worker(1, "lighter", "thread"),
        worker(2, "car1", "thread"),
        worker(3, "car2", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(20 * MS, 1, r#""o":1,"op":"set""#),
        op(30 * MS, 1, r#""op":"say","text":"GREEN: cars may go""#),
        op(40 * MS, 1, r#""op":"sleep_begin","ms":500"#),
        op(540 * MS, 1, r#""op":"sleep_end""#),
        op(550 * MS, 1, r#""o":1,"op":"clear""#),
        op(560 * MS, 1, r#""op":"say","text":"RED: cars must wait""#),
        op(570 * MS, 1, r#""op":"sleep_begin","ms":1000"#),
        op(600 * MS, 2, r#""op":"start""#),
        op(700 * MS, 2, r#""o":1,"op":"wait_begin""#),
        op(900 * MS, 3, r#""op":"start""#),
        op(1000 * MS, 3, r#""o":1,"op":"wait_begin""#),
        op(1300 * MS, 0, r#""op":"join_begin","target":1"#),
    ];
    world(&lines.join("\n"))
}

/// A queue of at most five, full; the producer blocked on put; consumers busy; results queued.
fn prodcons_world() -> World {
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"jobs","kind":"queue","capacity":5"#,
        ),
        op(
            0,
            0,
            r#""o":2,"op":"object","name":"results","kind":"queue","capacity":0"#,
        ),
        worker(1, "producer", "thread"),
        worker(2, "consumer1", "thread"),
        worker(3, "consumer2", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(10 * MS, 2, r#""op":"start""#),
        op(10 * MS, 3, r#""op":"start""#),
    ];
    let mut depth = 0;
    let mut t = 100 * MS;
    for i in 1..=7 {
        lines.push(op(
            t,
            1,
            &format!(r#""o":1,"op":"put_begin","item":"item-{i}""#),
        ));
        depth += 1;
        lines.push(op(
            t,
            1,
            &format!(r#""o":1,"op":"put_end","item":"item-{i}","depth":{depth}"#),
        ));
        t += 100 * MS;
        if i <= 2 {
            let c = i as u32 + 1;
            lines.push(op(t, c, r#""o":1,"op":"get_begin""#));
            depth -= 1;
            lines.push(op(
                t,
                c,
                &format!(r#""o":1,"op":"get_end","item":"item-{i}","depth":{depth}"#),
            ));
            lines.push(op(t, c, r#""op":"sleep_begin","ms":3000"#));
        }
    }
    lines.push(op(t, 1, r#""o":1,"op":"put_begin","item":"item-8""#));
    lines.push(op(t + 10 * MS, 0, r#""o":2,"op":"put_begin","item":"r0""#));
    lines.push(op(
        t + 10 * MS,
        0,
        r#""o":2,"op":"put_end","item":"r0","depth":1"#,
    ));
    lines.push(op(t + 20 * MS, 0, r#""o":1,"op":"join_begin""#));
    lines.push(op(
        t + 500 * MS,
        0,
        r#""op":"say","text":"waiting for every job to be done""#,
    ));
    world(&lines.join("\n"))
}

/// left holds A and wants B, right holds B and wants A; main joins left.
fn deadlock_lines() -> Vec<String> {
    vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        op(0, 0, r#""o":2,"op":"object","name":"B","kind":"lock""#),
        worker(1, "left", "thread"),
        worker(2, "right", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(10 * MS, 2, r#""op":"start""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_begin""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_end""#),
        op(120 * MS, 2, r#""o":2,"op":"acquire_begin""#),
        op(120 * MS, 2, r#""o":2,"op":"acquire_end""#),
        op(300 * MS, 1, r#""o":2,"op":"acquire_begin""#),
        op(320 * MS, 2, r#""o":1,"op":"acquire_begin""#),
        op(400 * MS, 0, r#""op":"join_begin","target":1"#),
    ]
}

fn deadlock_world() -> World {
    let lines = deadlock_lines();
    world(&lines.join("\n"))
}

fn hints() -> Vec<Hint> {
    [
        ("space", "pause"),
        ("+ -", "speed"),
        ("n p", "scenario"),
        ("v", "version"),
        ("r", "restart"),
        ("↑↓", "lane"),
        ("enter", "details"),
        ("?", "help"),
        ("q", "quit"),
    ]
    .into_iter()
    .map(|(key, what)| Hint {
        key,
        what: what.into(),
    })
    .collect()
}

fn all_keys() -> Vec<Hint> {
    [
        ("space", "pause or resume"),
        (". →", "one step"),
        ("s", "step mode on/off"),
        ("tab", "choose the next worker (step mode)"),
        ("+ -", "faster / slower"),
        ("n p", "next / previous scenario"),
        ("v", "flip the version"),
        ("r", "restart"),
        ("R", "replay the same seed"),
        ("[ ]", "change the parameter"),
        ("← →", "scrub the timeline (paused)"),
        ("↑ ↓", "select a lane"),
        ("enter", "details of the selected lane"),
        ("?", "this help"),
        ("q esc", "quit"),
    ]
    .into_iter()
    .map(|(key, what)| Hint {
        key,
        what: what.into(),
    })
    .collect()
}

fn status(run: RunState) -> Status {
    Status {
        run,
        speed: 1.0,
        seed: 7,
        mode: threadlanes::runner::Mode::Free,
        scrub: None,
        flash: None,
    }
}

/// The buffer as text, one line per row, trailing spaces cut.
fn buffer_text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            // A wide character covers the next cell too; that cell is not part of the text.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = ratatui::text::Span::raw(sym).width().saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn draw_run(world: &World, info: &Info, view: &View, run: RunState, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    draw_run_into(&mut term, world, info, view, run);
    buffer_text(&term)
}

fn draw_run_into(
    term: &mut Terminal<TestBackend>,
    world: &World,
    info: &Info,
    view: &View,
    run: RunState,
) {
    let config = Config::default_for(info);
    let status = status(run);
    let hints = hints();
    let keys = all_keys();
    let screen = Screen {
        world,
        info,
        config: &config,
        status: &status,
        view,
        hints: &hints,
        all_keys: &keys,
        next_ops: &[],
        theme: Theme::plain(),
    };
    term.draw(|f| ui::draw(f, &screen)).expect("draw");
}

/// The run screen with a chosen status and theme.
fn draw_with(world: &World, info: &Info, view: &View, status: &Status, theme: Theme) -> String {
    let config = Config::default_for(info);
    let hints = hints();
    let keys = all_keys();
    let screen = Screen {
        world,
        info,
        config: &config,
        status,
        view,
        hints: &hints,
        all_keys: &keys,
        next_ops: &[],
        theme,
    };
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("test backend");
    term.draw(|f| ui::draw(f, &screen)).expect("draw");
    buffer_text(&term)
}

/// The lock scenario run to its end: job1 then job2, and the outcome said.
fn lock_finished_world(outcome: &str, ok: bool) -> World {
    let mut w = lock_world();
    let more = [
        op(1500 * MS, 1, r#""op":"sleep_end""#),
        op(1500 * MS, 1, r#""o":1,"op":"release""#),
        op(1500 * MS, 2, r#""o":1,"op":"acquire_end""#),
        op(1510 * MS, 1, r#""op":"exit""#),
        op(1510 * MS, 0, r#""op":"join_end","target":1"#),
        op(1520 * MS, 0, r#""op":"join_begin","target":2"#),
        op(1600 * MS, 2, r#""op":"say","text":"job2: counter = 12""#),
        op(2000 * MS, 2, r#""o":1,"op":"release""#),
        op(2010 * MS, 2, r#""op":"exit","how":"panic","msg":"boom""#),
        op(2010 * MS, 0, r#""op":"join_end","target":2"#),
        op(
            2020 * MS,
            0,
            &format!(r#""op":"outcome","text":"{outcome}","ok":{ok}"#),
        ),
        op(2030 * MS, 0, r#""op":"exit""#),
    ];
    for l in more {
        w.apply(&wire::decode(&l).expect("fixture"));
    }
    w
}

fn draw_picker(selected: usize, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    draw_picker_into(&mut term, selected);
    buffer_text(&term)
}

fn draw_picker_into(term: &mut Terminal<TestBackend>, selected: usize) {
    let infos = [LOCK, SEMAPHORE, LIGHT, PRODCONS, DEADLOCK];
    let picker = Picker {
        scenarios: &infos,
        selected,
        theme: Theme::plain(),
    };
    let hints: Vec<Hint> = [("↑↓", "choose"), ("enter", "run"), ("q", "quit")]
        .into_iter()
        .map(|(key, what)| Hint {
            key,
            what: what.into(),
        })
        .collect();
    term.draw(|f| ui::draw_picker(f, &picker, &hints))
        .expect("draw");
}

fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

// ---------------------------------------------------------------- snapshots

#[test]
fn lock_screen() {
    let s = draw_run(
        &lock_world(),
        &LOCK,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    insta::assert_snapshot!(s);
}

#[test]
fn semaphore_screen() {
    let view = View {
        selected: 6,
        ..View::default()
    };
    let s = draw_run(
        &semaphore_world(),
        &SEMAPHORE,
        &view,
        RunState::Running,
        100,
        30,
    );
    insta::assert_snapshot!(s);
}

#[test]
fn traffic_light_screen() {
    let s = draw_run(
        &light_world(),
        &LIGHT,
        &View::default(),
        RunState::Paused,
        100,
        30,
    );
    insta::assert_snapshot!(s);
}

#[test]
fn producer_consumer_screen() {
    let s = draw_run(
        &prodcons_world(),
        &PRODCONS,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    insta::assert_snapshot!(s);
}

#[test]
fn producer_consumer_screen_80x24() {
    let s = draw_run(
        &prodcons_world(),
        &PRODCONS,
        &View::default(),
        RunState::Running,
        80,
        24,
    );
    insta::assert_snapshot!(s);
}

#[test]
fn too_small_screen() {
    let s = draw_run(
        &lock_world(),
        &LOCK,
        &View::default(),
        RunState::Running,
        60,
        20,
    );
    insta::assert_snapshot!(s);
    assert!(s.contains("terminal too small: need 80×24, have 60×20"));
}

#[test]
fn help_overlay() {
    let view = View {
        help: true,
        ..View::default()
    };
    let s = draw_run(&lock_world(), &LOCK, &view, RunState::Paused, 100, 30);
    insta::assert_snapshot!(s);
}

#[test]
fn details_of_a_blocked_lane() {
    let view = View {
        selected: 2,
        details: true,
        ..View::default()
    };
    let s = draw_run(&lock_world(), &LOCK, &view, RunState::Running, 100, 30);
    insta::assert_snapshot!(s);
    assert!(s.contains("Details: job2"));
    assert!(row_with(&s, "waits   ").contains("A, held by job1"));
}

#[test]
fn deadlock_banner() {
    let s = draw_run(
        &deadlock_world(),
        &DEADLOCK,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    insta::assert_snapshot!(s);
    assert!(s.contains("DEADLOCK: left waits for B held by right; right waits for A held by left"));
}

#[test]
fn picker_screen() {
    let s = draw_picker(3, 100, 30);
    insta::assert_snapshot!(s);
}

#[test]
fn finished_run_with_outcome_and_flash() {
    let status = Status {
        flash: Some("speed ×2".into()),
        speed: 2.0,
        ..status(RunState::Finished)
    };
    let world = lock_finished_world("counter = 55", true);
    let s = draw_with(&world, &LOCK, &View::default(), &status, Theme::plain());
    insta::assert_snapshot!(s);
    assert!(row_with(&s, "threadlanes").contains("■ finished"));
    assert!(row_with(&s, "threadlanes").contains("speed ×2"));
    assert!(row_with(&s, "as expected").contains("✓ as expected: counter = 55"));
    assert!(row_with(&s, "job2 ").contains("panicked: boom"));
    assert!(row_with(&s, "job2 ").contains("✗"));
}

#[test]
fn ascii_theme_deadlock() {
    let s = draw_with(
        &deadlock_world(),
        &DEADLOCK,
        &View::default(),
        &status(RunState::Paused),
        Theme::ascii(),
    );
    insta::assert_snapshot!(s);
    assert!(s.is_ascii(), "the ASCII theme drew a non-ASCII cell:\n{s}");
    assert!(row_with(&s, "threadlanes").contains("|| paused"));
}

// ---------------------------------------------------------------- facts

#[test]
fn a_wrong_outcome_is_marked_wrong() {
    let world = lock_finished_world("lost 3 updates", false);
    let s = draw_with(
        &world,
        &LOCK,
        &View::default(),
        &status(RunState::Finished),
        Theme::plain(),
    );
    assert!(s.contains("✗ WRONG: lost 3 updates"));
}

#[test]
fn lock_panel_names_owner_and_waiters_in_order() {
    let mut w = lock_world();
    let more = [
        worker(3, "job3", "thread"),
        op(1150 * MS, 3, r#""op":"start""#),
        op(1200 * MS, 3, r#""o":1,"op":"acquire_begin""#),
    ];
    for l in more {
        w.apply(&wire::decode(&l).expect("fixture"));
    }
    let s = draw_run(&w, &LOCK, &View::default(), RunState::Running, 100, 30);
    assert!(row_with(&s, "lock A").contains("held by job1"));
    assert!(row_with(&s, "waiting:").contains("job2 → job3"));
}

#[test]
fn semaphore_shows_five_filled_slots() {
    let s = draw_run(
        &semaphore_world(),
        &SEMAPHORE,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    let slots = row_with(&s, "[w1");
    for i in 1..=5 {
        assert!(slots.contains(&format!("[w{i} ]")), "{slots}");
    }
    assert!(row_with(&s, "semaphore slots").contains("5/5 taken"));
    assert!(row_with(&s, "  waiting:").contains("w6 → w7 → w8"));
}

#[test]
fn traffic_light_says_red() {
    let s = draw_run(
        &light_world(),
        &LIGHT,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    assert!(row_with(&s, "event light").contains("● RED"));
    assert!(row_with(&s, "  waiting:").contains("car1 → car2"));
    let ascii = {
        let world = light_world();
        let config = Config::default_for(&LIGHT);
        let status = status(RunState::Running);
        let view = View::default();
        let screen = Screen {
            world: &world,
            info: &LIGHT,
            config: &config,
            status: &status,
            view: &view,
            hints: &[],
            all_keys: &[],
            next_ops: &[],
            theme: Theme::ascii(),
        };
        let mut term = Terminal::new(TestBackend::new(100, 30)).expect("test backend");
        term.draw(|f| ui::draw(f, &screen)).expect("draw");
        buffer_text(&term)
    };
    assert!(row_with(&ascii, "event light").contains("(R) RED"));
    assert!(
        ascii.is_ascii(),
        "the ASCII theme drew a non-ASCII cell:\n{ascii}"
    );
}

#[test]
fn queue_shows_full_gauge_and_blocked_producer() {
    let s = draw_run(
        &prodcons_world(),
        &PRODCONS,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    assert!(row_with(&s, "queue jobs").contains("5/5 full"));
    let gauge = row_with(&s, "[█████]");
    assert!(gauge.contains("[█████] item-3 item-4"), "{gauge}");
    assert!(s.contains("item-6 item-7"));
    assert!(row_with(&s, "blocked on put").contains("producer"));
    assert!(row_with(&s, "queue results").contains("depth 1"));
}

#[test]
fn say_lines_stand_out_in_the_log() {
    let s = draw_run(
        &lock_world(),
        &LOCK,
        &View::default(),
        RunState::Running,
        100,
        30,
    );
    assert!(row_with(&s, "job1: counter = 2").contains("» "));
}

#[test]
fn the_selected_lane_is_drawn_among_a_thousand() {
    let mut lines = vec![worker(0, "main", "main")];
    for i in 1..=1000u32 {
        lines.push(worker(i, &format!("t{i}"), "thread"));
        lines.push(op(i as u64 * MS, i, r#""op":"start""#));
        lines.push(op(
            2 * S + i as u64 * MS,
            i,
            r#""op":"sleep_begin","ms":100"#,
        ));
    }
    let w = world(&lines.join("\n"));
    let view = View {
        selected: 1000,
        ..View::default()
    };
    let started = std::time::Instant::now();
    let s = draw_run(&w, &LOCK, &view, RunState::Running, 120, 40);
    let took = started.elapsed();
    assert!(row_with(&s, "▸").contains("t1000"));
    assert!(s.contains("of 1001"));
    // Generous even for a debug build: only the visible lanes are computed.
    assert!(took.as_millis() < 2000, "drawing took {took:?}");
}

#[test]
fn lane_rows_counts_the_lanes_that_fit() {
    let view = View::default();
    let world = semaphore_world();
    let config = Config::default_for(&SEMAPHORE);
    let status = status(RunState::Running);
    let screen = Screen {
        world: &world,
        info: &SEMAPHORE,
        config: &config,
        status: &status,
        view: &view,
        hints: &[],
        all_keys: &[],
        next_ops: &[],
        theme: Theme::plain(),
    };
    let rows = ui::lane_rows(ratatui::layout::Rect::new(0, 0, 100, 30), &screen);
    assert!(rows >= 9, "{rows} lanes at 100×30");
    assert_eq!(
        ui::lane_rows(ratatui::layout::Rect::new(0, 0, 50, 30), &screen),
        0
    );
}

// ---------------------------------------------------------------- no size panics

#[test]
fn every_screen_draws_at_every_size_without_panicking() {
    let lock = lock_world();
    let dead = deadlock_world();
    let prod = prodcons_world();
    let empty = World::default();
    let mut widths: Vec<u16> = (1..=300).step_by(23).collect();
    let mut heights: Vec<u16> = (1..=100).step_by(11).collect();
    widths.extend([79, 80, 81, 300]);
    heights.extend([23, 24, 25, 100]);
    let views = [
        View::default(),
        View {
            help: true,
            ..View::default()
        },
        View {
            details: true,
            selected: 2,
            ..View::default()
        },
        View {
            object_scroll: 99,
            selected: 99,
            ..View::default()
        },
    ];
    for &w in &widths {
        for &h in &heights {
            let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
            for (k, view) in views.iter().enumerate() {
                let world = [&lock, &dead, &prod, &empty][k];
                draw_run_into(&mut term, world, &LOCK, view, RunState::Finished);
            }
            draw_picker_into(&mut term, 2);
        }
    }
}

#[test]
fn objects_page_when_they_do_not_fit() {
    let mut lines = vec![worker(0, "main", "main"), op(0, 0, r#""op":"start""#)];
    for o in 1..=12u32 {
        lines.push(op(
            0,
            0,
            &format!(r#""o":{o},"op":"object","name":"L{o}","kind":"lock""#),
        ));
    }
    let w = world(&lines.join("\n"));
    let s = draw_run(&w, &LOCK, &View::default(), RunState::Running, 100, 30);
    assert!(row_with(&s, "Objects").contains("1–"), "{s}");
    assert!(row_with(&s, "Objects").contains("of 12"));
    assert!(s.contains("more"));
    let view = View {
        object_scroll: 4,
        ..View::default()
    };
    let s = draw_run(&w, &LOCK, &view, RunState::Running, 100, 30);
    assert!(row_with(&s, "Objects").contains("5–"));
    assert!(s.contains("↑ 4 above"));
    assert!(row_with(&s, "lock L5").contains("free"));
}

/// Every kind of object, names long, wide and empty, counters at their limits.
fn odd_world() -> World {
    let long = "x".repeat(200);
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        worker(1, &long, "process"),
        worker(2, "工人工人工人", "thread"),
        worker(3, "", "thread"),
        op(
            0,
            3,
            r#""op":"worker","name":"d","kind":"thread","daemon":true"#,
        ),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"huge","kind":"semaphore","capacity":18446744073709551615"#,
        ),
        op(
            0,
            0,
            &format!(
                r#""o":2,"op":"object","name":"{long}","kind":"priority_queue","capacity":1000000000"#
            ),
        ),
        op(0, 0, r#""o":3,"op":"object","name":"pool","kind":"pool""#),
        op(0, 0, r#""o":4,"op":"object","name":"pipe","kind":"pipe""#),
        op(
            0,
            0,
            r#""o":5,"op":"object","name":"balance","kind":"value""#,
        ),
        op(
            0,
            0,
            r#""o":6,"op":"object","name":"cond","kind":"condition""#,
        ),
        op(
            0,
            0,
            r#""o":7,"op":"object","name":"bar","kind":"barrier","capacity":3"#,
        ),
        op(0, 0, r#""o":8,"op":"object","name":"r","kind":"rlock""#),
        op(1, 1, r#""op":"start""#),
        op(1, 2, r#""op":"start""#),
        op(1, 3, r#""op":"start""#),
        op(2, 1, r#""o":1,"op":"acquire_begin""#),
        op(
            2,
            1,
            r#""o":1,"op":"acquire_end","value":18446744073709551615"#,
        ),
        op(3, 2, &format!(r#""o":2,"op":"put_begin","item":"{long}""#)),
        op(
            3,
            2,
            &format!(r#""o":2,"op":"put_end","item":"{long}","depth":999999999"#),
        ),
        op(4, 0, r#""o":3,"op":"submit","task":1"#),
        op(4, 2, r#""o":3,"op":"task_begin","task":1"#),
        op(5, 0, r#""o":4,"op":"send","item":"hello""#),
        op(5, 3, r#""o":4,"op":"recv_begin""#),
        op(6, 0, r#""o":5,"op":"write","value":-9223372036854775808"#),
        op(7, 1, r#""o":6,"op":"wait_begin""#),
        op(8, 0, r#""o":7,"op":"wait_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_end","depth":1"#),
        op(9, 2, r#""o":8,"op":"acquire_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_end","depth":2"#),
        op(u64::MAX, 0, r#""op":"say","text":"the end of time""#),
    ];
    world(&lines.join("\n"))
}

#[test]
fn odd_worlds_draw_at_many_sizes_without_panicking() {
    let w = odd_world();
    assert!(w.objects.len() >= 8);
    for &(wd, ht) in &[
        (80, 24),
        (100, 30),
        (300, 100),
        (81, 60),
        (200, 25),
        (1, 1),
        (79, 24),
    ] {
        for view in [
            View::default(),
            View {
                details: true,
                selected: 1,
                ..View::default()
            },
            View {
                selected: 3,
                ..View::default()
            },
        ] {
            let theme_plain = draw_run(&w, &SEMAPHORE, &view, RunState::Running, wd, ht);
            let ascii = draw_with(
                &w,
                &SEMAPHORE,
                &view,
                &status(RunState::Paused),
                Theme::ascii(),
            );
            assert!(!theme_plain.is_empty() && !ascii.is_empty());
        }
    }
    let s = draw_run(&w, &SEMAPHORE, &View::default(), RunState::Running, 100, 30);
    assert!(!row_with(&s, "running, holds r").contains("daemon"));
    let view = View {
        object_scroll: 7,
        ..View::default()
    };
    let s = draw_run(&w, &SEMAPHORE, &view, RunState::Running, 100, 30);
    assert!(
        row_with(&s, "rlock r").contains("held by 工人工人工人 ("),
        "{s}"
    );
}

// ------------------------------------------- causes, wait-for graph, split, sparklines
/// Panics with the screen unless it shows every one of `needles`.
fn contains_all(s: &str, needles: &[&str]) {
    for n in needles {
        assert!(s.contains(n), "no {n:?} in\n{s}");
    }
}

/// Two workers deadlocked over A and B while a third, ticker, still runs; main joins left.
fn partial_deadlock_world() -> World {
    let mut lines = deadlock_lines();
    lines.push(worker(3, "ticker", "thread"));
    lines.push(op(10 * MS, 3, r#""op":"start""#));
    for i in 0..6u64 {
        lines.push(op(
            700 * MS + i * 500 * MS,
            3,
            r#""op":"sleep_begin","ms":400"#,
        ));
        lines.push(op(1100 * MS + i * 500 * MS, 3, r#""op":"sleep_end""#));
        lines.push(op(
            1100 * MS + i * 500 * MS,
            3,
            &format!(r#""op":"say","text":"tick {}: still going""#, i + 1),
        ));
    }
    world(&lines.join("\n"))
}

/// The partial deadlock at 80×24 with `view`.
fn partial_80x24(view: &View) -> String {
    let world = partial_deadlock_world();
    draw_run(&world, &DEADLOCK, view, RunState::Running, 80, 24)
}

#[test]
fn wake_up_marks_in_the_lanes_and_causes_in_the_log() {
    let world = lock_finished_world("total = 12", true);
    let s = draw_run(&world, &LOCK, &View::default(), RunState::Finished, 120, 36);
    // job1's release and job2's wake-up at 1.5 s: the same column, the lock named over the
    // wait; main's joins too.
    let job1 = row_with(&s, "job1 ");
    let job2 = row_with(&s, "job2 ");
    let col = |row: &str, mark: char| row.chars().position(|c| c == mark);
    assert_eq!(col(job1, '◇'), col(job2, '◆'), "\n{s}");
    assert!(job2.contains("A◆"), "{job2}");
    contains_all(
        &s,
        &["woke: job1 released A; acquired lock A", "woke: job1 ended"],
    );
    insta::assert_snapshot!(s);
}

#[test]
fn details_list_who_ended_each_block() {
    let world = lock_finished_world("total = 12", true);
    let view = View {
        selected: 2,
        details: true,
        ..View::default()
    };
    let s = draw_run(&world, &LOCK, &view, RunState::Finished, 120, 36);
    contains_all(&s, &["woken   1.5s: job1 released A (waited"]);
    insta::assert_snapshot!(s);
}

#[test]
fn wait_for_graph_shows_a_partial_deadlock() {
    let world = partial_deadlock_world();
    let view = View {
        graph: true,
        ..View::default()
    };
    let s = draw_run(&world, &DEADLOCK, &view, RunState::Running, 120, 36);
    contains_all(
        &s,
        &[
            "DEADLOCK: main, left, right stuck for good; still going: ticker",
            "⟲ left ──▶ B ──▶ right ──▶ A ──▶ left",
        ],
    );
    insta::assert_snapshot!(s);
}

#[test]
fn wait_for_graph_80x24() {
    let view = View {
        graph: true,
        ..View::default()
    };
    let s = partial_80x24(&view);
    contains_all(&s, &["⟲ cycle"]);
    insta::assert_snapshot!(s);
}

#[test]
fn sparklines_and_time_shares() {
    let world = prodcons_world();
    let s = draw_run(
        &world,
        &PRODCONS,
        &View::default(),
        RunState::Running,
        120,
        36,
    );
    // The jobs queue filled one item a bucket, then stayed full.
    assert!(row_with(&s, "depth ▃▃▆").contains("depth ▃▃▆████"), "\n{s}");
    // Consumers sleep most of their lives: their share bars are mostly the sleep glyph.
    assert!(
        row_with(&s, "consumer1").contains("thread ▄···· sleeping"),
        "\n{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn captions_narrate_the_last_event() {
    let view = View {
        captions: true,
        ..View::default()
    };
    let s = draw_run(
        &prodcons_world(),
        &PRODCONS,
        &view,
        RunState::Running,
        120,
        36,
    );
    let rows: Vec<&str> = s.lines().collect();
    assert_eq!(
        rows[34].trim(),
        "main says: waiting for every job to be done",
        "\n{s}"
    );
    let s = partial_80x24(&view);
    assert!(
        s.lines()
            .nth(22)
            .unwrap()
            .contains("Deadlock: left waits for B"),
        "\n{s}"
    );
    insta::assert_snapshot!(s);
}

fn draw_split(w: u16, h: u16) -> String {
    let left = lock_finished_world("total = 12; lines interleaved 6 times", false);
    let right = lock_finished_world("total = 12; each job ran whole", true);
    let config = Config::default_for(&LOCK);
    let other = Config {
        variant: "no-lock",
        ..config.clone()
    };
    let status = status(RunState::Finished);
    let hints = hints();
    let keys = all_keys();
    let view = View::default();
    let screen = Screen {
        world: &right,
        info: &LOCK,
        config: &config,
        status: &status,
        view: &view,
        hints: &hints,
        all_keys: &keys,
        next_ops: &[],
        theme: Theme::plain(),
    };
    let pane = ui::split::Pane {
        world: &left,
        config: &other,
    };
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    term.draw(|f| ui::split::draw(f, &screen, pane))
        .expect("draw");
    buffer_text(&term)
}

#[test]
fn side_by_side_shows_both_versions_and_their_outcomes() {
    let s = draw_split(120, 36);
    let heads = s.lines().nth(1).unwrap_or_default();
    assert!(heads.starts_with(" with lock"), "\n{s}");
    assert!(heads.contains("without lock"), "\n{s}");
    contains_all(&s, &["✓ as expected: total = 12", "✗ WRONG: total = 12"]);
    insta::assert_snapshot!(s);
}

#[test]
fn side_by_side_80x24() {
    insta::assert_snapshot!(draw_split(80, 24));
}

#[test]
fn side_by_side_draws_at_every_size_without_panicking() {
    for w in (0..=300u16).step_by(23).chain([79, 80, 81]) {
        for h in (0..=100u16).step_by(9).chain([23, 24, 25]) {
            draw_split(w, h);
        }
    }
}
