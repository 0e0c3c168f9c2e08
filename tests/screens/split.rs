//! Side by side: the two versions of a scenario run at once, each with its outcome.

use crate::fixtures::*;
use crate::state::RunState;
use crate::{Shot, assert_screen, contains_all};
use threadlanes::model::World;
use threadlanes::scenarios::info::Config;
use threadlanes::ui::split::Pane;

/// The lock scenario's two versions finished: with the lock, and beside it without.
fn both() -> (World, World, Config) {
    let without = lock_finished_world("total = 12; lines interleaved 6 times", false);
    let with = lock_finished_world("total = 12; each job ran whole", true);
    let other = Config {
        variant: "no-lock",
        ..Config::default_for(&LOCK)
    };
    (with, without, other)
}

fn split<'a>(with: &'a World, without: &'a World, other: &'a Config) -> Shot<'a> {
    Shot::run(with, &LOCK)
        .state(RunState::Finished)
        .beside(Pane {
            world: without,
            config: other,
        })
}

#[test]
fn side_by_side_shows_both_versions_and_their_outcomes() {
    let (with, without, other) = both();
    let s = assert_screen!(split(&with, &without, &other).size(120, 36));
    let heads = s.lines().nth(1).unwrap_or_default();
    assert!(heads.starts_with(" with lock"), "\n{s}");
    assert!(heads.contains("without lock"), "\n{s}");
    contains_all(&s, &["✓ as expected: total = 12", "✗ WRONG: total = 12"]);
}

#[test]
fn side_by_side_80x24() {
    let (with, without, other) = both();
    assert_screen!(split(&with, &without, &other).size(80, 24));
}

#[test]
fn side_by_side_draws_at_every_size_without_panicking() {
    let (with, without, other) = both();
    for w in (0..=300u16).step_by(23).chain([79, 80, 81]) {
        for h in (0..=100u16).step_by(9).chain([23, 24, 25]) {
            split(&with, &without, &other).size(w, h).text();
        }
    }
}
