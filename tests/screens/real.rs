//! The real scenarios' real screens: seeded runs of the catalogue's scenarios played by the
//! product's own App (its footer, its help, its words), stopped at a chosen moment of
//! virtual time, drawn at 80×24 (the design size: what a terminal opens at and what people
//! record at) and at 160×48. Seeded runs repeat event for event, so these are stable; pids
//! are masked. Each test says what the lesson is and checks the screen shows it.

use crate::app::{At, Pids, seeded_at};
use crate::draw_text;
use threadlanes::app::App;
use threadlanes::keys::Action;
use threadlanes::model::Timeline;
use threadlanes::model::cause::Causes;
use threadlanes::model::log::Log;

/// The seed every picture is taken with.
const SEED: u64 = 7;

/// One real screen: `scenario`'s version `variant` at `at`, drawn `w`×`h`.
struct Real {
    scenario: &'static str,
    variant: Option<&'static str>,
    at: At,
    keys: &'static [Action],
    /// Measured numbers (wall-clock timings) to hide: they differ on every run.
    measured: bool,
    /// Child processes run free of the seed: their events' times and order vary, so the
    /// timelines, the log and the sparklines are left out of the picture (what stays: the
    /// lanes' names, kinds and pids, their states, the objects, the outcome, the keys).
    children: bool,
}

impl Real {
    fn new(scenario: &'static str, at: At) -> Real {
        Real {
            scenario,
            variant: None,
            at,
            keys: &[],
            measured: false,
            children: false,
        }
    }

    fn variant(self, v: &'static str) -> Real {
        Real {
            variant: Some(v),
            ..self
        }
    }

    fn keys(self, keys: &'static [Action]) -> Real {
        Real { keys, ..self }
    }

    fn measured(self) -> Real {
        Real {
            measured: true,
            ..self
        }
    }

    fn children(self) -> Real {
        Real {
            children: true,
            ..self
        }
    }

    fn app(&self) -> (App, Pids) {
        let (mut app, pids) = seeded_at(self.scenario, self.variant, &[], SEED, self.at);
        for k in self.keys {
            app.update(*k);
        }
        if self.measured
            && let Some((text, _)) = &mut app.world.outcome
        {
            // Before drawing: a timing's width ("0.0123 s" or "1.23 s") moves the wrap.
            *text = fixed_decimals(text);
        }
        if self.children {
            for w in &mut app.world.workers {
                w.timeline = Timeline::new(16);
            }
            app.world.log = Log::new(1);
            app.world.causes = Causes::default();
        }
        (app, pids)
    }

    /// The screen at both sizes, snapshotted as `NAME_80x24` and `NAME_160x48`; the small one
    /// comes back for the test's own checks.
    fn snap(&self, name: &str) -> (String, String) {
        let (app, pids) = self.app();
        let mut out = Vec::new();
        for (w, h) in [(80, 24), (160, 48)] {
            let mut s = draw_text(w, h, |f| app.draw(f));
            assert_eq!(pids.words(&s), s, "a real pid on screen:\n{s}");
            if self.measured {
                s = mask_decimals(&s);
            }
            if self.children {
                s = flatten_sparklines(&s, w);
            }
            insta::with_settings!({ snapshot_path => "../snapshots" }, {
                insta::assert_snapshot!(format!("{name}_{w}x{h}"), s);
            });
            out.push(s);
        }
        let big = out.pop().expect("two sizes");
        (out.pop().expect("two sizes"), big)
    }
}

/// Every decimal number ("0.0123", "1.75") as `#.##`, one width whatever was measured.
fn fixed_decimals(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_digit() {
            out.push(c);
            continue;
        }
        let mut number = String::from(c);
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
            number.push(d);
            chars.next();
        }
        let decimal = number.trim_end_matches('.').contains('.');
        out.push_str(if decimal { "#.##" } else { &number });
        if number.ends_with('.') && decimal {
            out.push('.');
        }
    }
    out
}

/// Every digit of a decimal number ("0.31 s", "x1.75") as `#`: measured timings.
fn mask_decimals(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        if chars[start..i].contains(&'.') {
            for c in &mut out[start..i] {
                if c.is_ascii_digit() {
                    *c = '#';
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The first row of `screen` naming `lane` at its start (after the selection marks).
fn lane<'a>(screen: &'a str, lane: &str) -> &'a str {
    screen
        .lines()
        .find(|l| {
            l.get(3..).is_some_and(|r| {
                r.trim_start_matches(['▸', '!', ' '])
                    .starts_with(&format!("{lane} "))
            })
        })
        .unwrap_or_else(|| panic!("no lane {lane} in\n{screen}"))
}

/// Seconds of virtual time.
fn at(secs: f64) -> At {
    At::Secs(secs)
}

#[test]
fn race_with_the_lock_shows_t1_holding_while_t2_waits() {
    let (small, big) = Real::new("race", at(0.3))
        .variant("with-lock")
        .snap("real_race_with_lock");
    for s in [&small, &big] {
        assert!(
            lane(s, "t1").contains('▀'),
            "t1 sleeps holding the lock:\n{s}"
        );
        assert!(lane(s, "t2").contains("held by t1"), "{s}");
        // t2 holds nothing while it is blocked: its cells are blocked (▒), never the
        // blocked-while-holding ▓ of a cell it held in at another moment.
        assert!(
            lane(s, "t2").contains('▒') && !lane(s, "t2").contains('▓'),
            "{s}"
        );
    }
}

#[test]
fn lock_hold_shows_the_holder_asleep_and_the_queue_behind_it() {
    let (small, _) = Real::new("lock-hold", at(1.2)).snap("real_lock_hold");
    assert!(
        lane(&small, "t2").contains("sleeps holding lock"),
        "{small}"
    );
    assert!(lane(&small, "t2").contains('▀'), "{small}");
    assert!(lane(&small, "t3").contains("held by t2"), "{small}");
    assert!(
        small.contains("holding the lock"),
        "the explanation's point:\n{small}"
    );
}

/// Later, at 80×24, the twenty lanes do not fit: those that ended before the timeline's
/// window fold into one row, so the holder and its queue stay in view with the staircase
/// of the last holders just before them.
#[test]
fn lock_hold_later_folds_the_lanes_that_ended_long_ago() {
    let (small, big) = Real::new("lock-hold", at(8.3)).snap("real_lock_hold_later");
    let holder = small
        .lines()
        .find(|l| l.contains("sleeps holding lock"))
        .unwrap_or_else(|| panic!("the holder is in view:\n{small}"));
    assert!(holder.contains('▀'), "{small}");
    assert!(small.contains(" ended: t0 t1 "), "{small}");
    assert!(small.contains("wants lock held by"), "{small}");
    // Where every lane fits, none is folded.
    assert!(!big.contains(" ended: "), "{big}");
}

#[test]
fn processes_show_their_pid_and_parent_pid_at_80_columns() {
    let (small, big) = Real::new("processes", at(2.0))
        .children()
        .snap("real_processes");
    for k in 1..=3 {
        assert!(
            lane(&small, &format!("proc-{k}")).contains(&format!("1000{k}/10000")),
            "{small}"
        );
    }
    assert!(lane(&big, "proc-1").contains("proc 10001/10000"), "{big}");
}

#[test]
fn traffic_light_cars_are_marked_daemon_at_80_columns() {
    let (small, _) = Real::new("traffic-light", at(3.2)).snap("real_traffic_light");
    assert!(lane(&small, "car-1").contains("daemon"), "{small}");
    assert!(!lane(&small, "lighter").contains("daemon"), "{small}");
}

#[test]
fn queue_kinds_show_what_comes_out_next() {
    let (small, _) = Real::new("queue-kinds", at(1.3)).snap("real_queue_kinds");
    assert!(small.contains("lifo queue"), "{small}");
}

#[test]
fn semaphore_shows_its_slots_taken_and_the_queue() {
    let (small, _) = Real::new("semaphore", at(1.4)).snap("real_semaphore");
    assert!(small.contains("5/5 taken"), "{small}");
    // At 80×24 the first five, ended, fold into one row: the five holding a slot now are
    // all in view, each sleeping with it.
    assert!(small.contains("5 ended: "), "{small}");
    let holders = small
        .lines()
        .filter(|l| l.contains("sleeps holding slots") && l.contains('▀'))
        .count();
    assert_eq!(
        holders, 5,
        "a slot held while sleeping, by each holder:\n{small}"
    );
}

#[test]
fn deadlock_shows_each_holding_what_the_other_wants() {
    let (small, _) = Real::new("deadlock", at(1.0)).snap("real_deadlock");
    assert!(small.contains("DEADLOCK"), "{small}");
    assert!(
        lane(&small, "left").contains('▓'),
        "blocked while holding:\n{small}"
    );
}

#[test]
fn rlock_screen() {
    Real::new("rlock", At::Events(30)).snap("real_rlock");
}

#[test]
fn daemon_screen() {
    let (small, _) = Real::new("daemon", At::Events(25)).snap("real_daemon");
    assert!(small.contains("daemon"), "{small}");
}

/// At its end the daemon workers died with main: drawn † killed once, where they died (not
/// ✗, a failure of their own), then as lanes that are over; the legend says what † is.
/// Long after, the mark is out of the window and the lanes read as over.
#[test]
fn daemons_killed_at_the_end_are_drawn_killed_not_failed() {
    let (small, _) = Real::new("daemon", at(2.0)).snap("real_daemon_end");
    let task = lane(&small, "task-0");
    assert!(task.contains("killed") && task.contains("†──"), "{small}");
    assert_eq!(task.matches('†').count(), 1, "{small}");
    assert!(!task.contains('✗'), "{small}");
    assert!(
        small.contains("†killed") || small.contains("† killed"),
        "{small}"
    );
    let (later, _) = Real::new("daemon", at(60.0)).snap("real_daemon_long_after");
    let task = lane(&later, "task-0");
    assert!(task.contains("killed") && !task.contains('†'), "{later}");
}

#[test]
fn pipe_screen() {
    // At its end: the child runs free of the seed, so mid-run its progress against the
    // parent's virtual clock depends on how fast the machine started it.
    let (small, _) = Real::new("pipe", at(60.0)).children().snap("real_pipe");
    assert!(lane(&small, "child").contains("10001/10000"), "{small}");
}

#[test]
fn gil_screen() {
    Real::new("gil", at(2.0))
        .measured()
        .children()
        .snap("real_gil");
}

#[test]
fn help_overlay_lists_the_products_keys() {
    let (small, big) = Real::new("race", at(0.3))
        .variant("with-lock")
        .keys(&[Action::ToggleHelp])
        .snap("real_help");
    for s in [&small, &big] {
        assert!(s.contains("help"), "{s}");
    }
}

/// At 80×24 the footer ranks what the lesson turns on before the seed.
#[test]
fn the_footer_at_80_columns_offers_the_version_before_the_seed() {
    let (app, _) = Real::new("lock-hold", at(1.2)).app();
    let s = draw_text(80, 24, |f| app.draw(f));
    let footer = s.lines().last().unwrap_or_default();
    assert!(footer.contains("v → "), "{footer}");
}

/// The objects column's sparklines flattened (their levels follow the children's timing);
/// the lanes' legend, left of it, stays.
fn flatten_sparklines(s: &str, width: u16) -> String {
    let right = threadlanes::ui::layout::right_width(width) as usize;
    let from = (width as usize).saturating_sub(right);
    let spark = ['▂', '▃', '▄', '▅', '▆', '▇', '█'];
    s.lines()
        .map(|l| {
            l.chars()
                .enumerate()
                .map(|(i, c)| {
                    if i >= from && spark.contains(&c) {
                        '▁'
                    } else {
                        c
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
