//! The status line and the outcome (running, paused, finished, a flash), and the caption line
//! that narrates the last event.

use crate::fixtures::*;
use crate::state::{RunState, Status, View};
use crate::{Shot, assert_screen, row_with};

#[test]
fn finished_run_with_outcome_and_flash() {
    let status = Status {
        flash: Some("speed ×2".into()),
        speed: 2.0,
        ..status(RunState::Finished)
    };
    let world = lock_finished_world("counter = 55", true);
    let s = assert_screen!(Shot::run(&world, &LOCK).status(status));
    assert!(row_with(&s, "threadlanes").contains("■ finished"));
    assert!(row_with(&s, "threadlanes").contains("speed ×2"));
    assert!(row_with(&s, "as expected").contains("✓ as expected: counter = 55"));
    assert!(row_with(&s, "job2 ").contains("failed: boom"));
    assert!(row_with(&s, "job2 ").contains("✗"));
}

#[test]
fn events_a_flood_kept_from_the_viewer_are_counted_on_the_status_line() {
    let status = Status {
        dropped: 12_345,
        ..status(RunState::Running)
    };
    let world = lock_finished_world("counter = 55", true);
    let s = Shot::run(&world, &LOCK).status(status).text();
    assert!(
        row_with(&s, "threadlanes").contains("12.3k events not shown (viewer behind)"),
        "{s}"
    );
}

#[test]
fn a_wrong_outcome_is_marked_wrong() {
    let world = lock_finished_world("lost 3 updates", false);
    let s = Shot::run(&world, &LOCK).state(RunState::Finished).text();
    assert!(s.contains("✗ WRONG: lost 3 updates"));
}

#[test]
fn captions_narrate_the_last_event() {
    let view = View {
        captions: true,
        ..View::default()
    };
    let world = prodcons_world();
    let s = Shot::run(&world, &PRODCONS)
        .view(view.clone())
        .size(120, 36)
        .text();
    let rows: Vec<&str> = s.lines().collect();
    assert_eq!(
        rows[34].trim(),
        "main says: waiting for every job to be done",
        "\n{s}"
    );
    let world = partial_deadlock_world();
    let s = assert_screen!(Shot::run(&world, &DEADLOCK).view(view).size(80, 24));
    assert!(
        s.lines()
            .nth(22)
            .unwrap()
            .contains("Deadlock: left waits for B"),
        "\n{s}"
    );
}

/// Scrubbing a finished program, the moment on screen is said, not the program's end (a
/// flash kept until q), which has no room beside it at 80 columns.
#[test]
fn scrubbing_says_the_moment_not_a_flash_without_room() {
    let status = Status {
        flash: Some("the program ended: exit status 0; q quits".into()),
        scrub: Some("event 12 of 40 · 0.3s · job1 acquired lock A".into()),
        ..status(RunState::Finished)
    };
    let world = lock_finished_world("counter = 55", true);
    let s = Shot::run(&world, &LOCK).status(status).size(80, 24).text();
    let line = row_with(&s, "threadlanes");
    assert!(line.contains("event 12 of 40"), "{line}");
    assert!(!line.contains("program ended"), "{line}");
}
