//! The details panel of the selected lane: what it waits for, and who ended each block.

use crate::fixtures::*;
use crate::state::{RunState, View};
use crate::{Shot, assert_screen, contains_all, row_with};

#[test]
fn details_of_a_blocked_lane() {
    let view = View {
        selected: 2,
        details: true,
        ..View::default()
    };
    let s = assert_screen!(Shot::run(&lock_world(), &LOCK).view(view));
    assert!(s.contains("Details: job2"));
    assert!(row_with(&s, "waits   ").contains("A, held by job1"));
}

#[test]
fn details_list_who_ended_each_block() {
    let world = lock_finished_world("total = 12", true);
    let view = View {
        selected: 2,
        details: true,
        ..View::default()
    };
    let s = assert_screen!(
        Shot::run(&world, &LOCK)
            .view(view)
            .state(RunState::Finished)
            .size(120, 36)
    );
    contains_all(&s, &["woken   1.5s: job1 released A (waited"]);
}
