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
