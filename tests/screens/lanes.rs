//! The lanes: the selected one among many, scrolling to keep it in sight, wake-up marks that
//! line up with what caused them, and the sparklines and time shares.

use crate::fixtures::*;
use crate::state::{RunState, View};
use crate::{Shot, assert_screen, contains_all, row_with};
use ratatui::layout::Rect;
use threadlanes::ui;

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
    let s = Shot::run(&w, &LOCK).view(view).size(120, 40).text();
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
    let shot = Shot::run(&world, &SEMAPHORE).view(view).without_keys();
    let rows = shot.with_screen(|screen| ui::lane_rows(Rect::new(0, 0, 100, 30), screen));
    assert!(rows >= 9, "{rows} lanes at 100×30");
    let rows = shot.with_screen(|screen| ui::lane_rows(Rect::new(0, 0, 50, 30), screen));
    assert_eq!(rows, 0);
}

#[test]
fn wake_up_marks_in_the_lanes_and_causes_in_the_log() {
    let world = lock_finished_world("total = 12", true);
    let s = assert_screen!(
        Shot::run(&world, &LOCK)
            .state(RunState::Finished)
            .size(120, 36)
    );
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
}

#[test]
fn sparklines_and_time_shares() {
    let s = assert_screen!(Shot::run(&prodcons_world(), &PRODCONS).size(120, 36));
    // The jobs queue filled one item a bucket, then stayed full.
    assert!(row_with(&s, "depth ▃▃▆").contains("depth ▃▃▆████"), "\n{s}");
    // Consumers sleep most of their lives: their share bars are mostly the sleep glyph.
    assert!(
        row_with(&s, "consumer1").contains("thread ▄···· sleeps"),
        "\n{s}"
    );
}

/// `z` gives a timeline cell more time: the lanes' title says how much, and the window
/// reaches back that much further.
#[test]
fn zoomed_out_timelines_say_their_cell_and_reach_further_back() {
    let w = lock_world();
    let plain = Shot::run(&w, &LOCK).text();
    assert!(plain.contains("100ms/cell"), "{plain}");
    let view = View {
        zoom: 3,
        ..View::default()
    };
    let zoomed = Shot::run(&w, &LOCK).view(view).text();
    assert!(zoomed.contains("1.0s/cell"), "{zoomed}");
}
