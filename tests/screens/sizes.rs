//! Every screen at every terminal size from 1×1 to 300×100, and worlds at their limits (long,
//! wide and empty names, counters at their maximum): nothing panics.

use crate::fixtures::*;
use crate::picker::PickerShot;
use crate::state::{RunState, View};
use crate::{Shot, row_with};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use threadlanes::model::World;

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
                Shot::run(world, &LOCK)
                    .view(view.clone())
                    .state(RunState::Finished)
                    .draw_into(&mut term);
            }
            PickerShot {
                selected: 2,
                page: 0,
            }
            .draw_into(&mut term);
        }
    }
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
            let plain = Shot::run(&w, &SEMAPHORE)
                .view(view.clone())
                .size(wd, ht)
                .text();
            let ascii = Shot::run(&w, &SEMAPHORE)
                .view(view)
                .state(RunState::Paused)
                .ascii()
                .text();
            assert!(!plain.is_empty() && !ascii.is_empty());
        }
    }
    let s = Shot::run(&w, &SEMAPHORE).text();
    assert!(!row_with(&s, "holds rlock r").contains("daemon"));
    let view = View {
        object_scroll: 7,
        ..View::default()
    };
    let s = Shot::run(&w, &SEMAPHORE).view(view).text();
    // A wide holder's name leaves no room for the depth beside it: it gets its own line.
    assert!(
        row_with(&s, "rlock r").contains("held by 工人工人工人"),
        "{s}"
    );
    assert!(row_with(&s, "  depth 2").contains("depth 2"), "{s}");
}
