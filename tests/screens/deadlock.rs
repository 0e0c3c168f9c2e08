//! A deadlock on screen: the banner that names the cycle, the wait-for graph in place of the
//! log (a partial deadlock, where one worker still goes on), and the ASCII theme's version.

use crate::fixtures::*;
use crate::state::{RunState, View};
use crate::{Shot, assert_screen, contains_all, row_with};

#[test]
fn deadlock_banner() {
    let s = assert_screen!(Shot::run(&deadlock_world(), &DEADLOCK));
    assert!(s.contains("DEADLOCK: left waits for B held by right; right waits for A held by left"));
}

#[test]
fn ascii_theme_deadlock() {
    let s = assert_screen!(
        Shot::run(&deadlock_world(), &DEADLOCK)
            .state(RunState::Paused)
            .ascii()
    );
    assert!(s.is_ascii(), "the ASCII theme drew a non-ASCII cell:\n{s}");
    assert!(row_with(&s, "threadlanes").contains("|| paused"));
}

fn graph() -> View {
    View {
        graph: true,
        ..View::default()
    }
}

#[test]
fn wait_for_graph_shows_a_partial_deadlock() {
    let world = partial_deadlock_world();
    let s = assert_screen!(Shot::run(&world, &DEADLOCK).view(graph()).size(120, 36));
    contains_all(
        &s,
        &[
            "DEADLOCK: main, left, right stuck for good; still going: ticker",
            "⟲ left ──▶ B ──▶ right ──▶ A ──▶ left",
        ],
    );
}

#[test]
fn wait_for_graph_80x24() {
    let world = partial_deadlock_world();
    let s = assert_screen!(Shot::run(&world, &DEADLOCK).view(graph()).size(80, 24));
    contains_all(&s, &["⟲ cycle"]);
}

/// Opposite lock orders in a run that finished: no banner, but the log's border and the
/// wait-for view say the deadlock another timing would reach.
#[test]
fn a_possible_deadlock_is_said_in_the_log_and_the_graph() {
    let take = |t: u64, w: u32, first: u32, second: u32| {
        [first, second]
            .into_iter()
            .flat_map(|o| {
                [
                    op(t, w, &format!(r#""op":"acquire_begin","o":{o}"#)),
                    op(t, w, &format!(r#""op":"acquire_end","o":{o},"ok":true"#)),
                ]
            })
            .chain([second, first].map(|o| op(t, w, &format!(r#""op":"release","o":{o}"#))))
            .collect::<Vec<_>>()
    };
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        op(0, 0, r#""o":2,"op":"object","name":"B","kind":"lock""#),
        worker(1, "left", "thread"),
        worker(2, "right", "thread"),
    ];
    lines.extend(take(10 * MS, 1, 1, 2));
    lines.extend(take(20 * MS, 2, 2, 1));
    let world = world(&lines.join("\n"));
    let words = "possible deadlock: left takes A then B; right takes B then A";
    let s = Shot::run(&world, &DEADLOCK).size(120, 36).text();
    assert!(!s.contains("DEADLOCK"), "{s}");
    contains_all(&s, &[words]);
    let s = Shot::run(&world, &DEADLOCK)
        .view(graph())
        .size(120, 36)
        .text();
    contains_all(&s, &[words]);
    // At 80 columns, in brief rather than cut: both orders stay.
    let s = Shot::run(&world, &DEADLOCK).size(80, 24).text();
    contains_all(&s, &["possible deadlock: left A→B; right B→A"]);
}

/// At 80 columns a partial deadlock's banner says who is stuck with whom in brief, and
/// who still goes, rather than lose the end of its sentence.
#[test]
fn a_partial_deadlock_banner_fits_80_columns() {
    let world = partial_deadlock_world();
    let s = Shot::run(&world, &DEADLOCK).size(80, 24).text();
    contains_all(
        &s,
        &["DEADLOCK: left and right wait for each other · still going: ticker"],
    );
}
