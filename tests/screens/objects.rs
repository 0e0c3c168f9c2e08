//! The objects panel: a lock's owner and queue, a semaphore's slots, an event's light, a
//! queue's gauge, and paging when the objects do not fit.

use crate::fixtures::*;
use crate::state::View;
use crate::{Shot, row_with};

#[test]
fn lock_panel_names_owner_and_waiters_in_order() {
    let mut w = lock_world();
    apply(
        &mut w,
        &[
            worker(3, "job3", "thread"),
            op(1150 * MS, 3, r#""op":"start""#),
            op(1200 * MS, 3, r#""o":1,"op":"acquire_begin""#),
        ],
    );
    let s = Shot::run(&w, &LOCK).text();
    assert!(row_with(&s, "lock A").contains("held by job1"));
    assert!(row_with(&s, "waiting:").contains("job2 → job3"));
}

#[test]
fn semaphore_shows_five_filled_slots() {
    let s = Shot::run(&semaphore_world(), &SEMAPHORE).text();
    let slots = row_with(&s, "[w1");
    for i in 1..=5 {
        assert!(slots.contains(&format!("[w{i} ]")), "{slots}");
    }
    assert!(row_with(&s, "semaphore slots").contains("5/5 taken"));
    assert!(row_with(&s, "  waiting:").contains("w6 → w7 → w8"));
}

#[test]
fn traffic_light_says_red() {
    let world = light_world();
    let s = Shot::run(&world, &LIGHT).text();
    assert!(row_with(&s, "event light").contains("● RED"));
    assert!(row_with(&s, "  waiting:").contains("car1 → car2"));
    let ascii = Shot::run(&world, &LIGHT).without_keys().ascii().text();
    assert!(row_with(&ascii, "event light").contains("(R) RED"));
    assert!(
        ascii.is_ascii(),
        "the ASCII theme drew a non-ASCII cell:\n{ascii}"
    );
}

#[test]
fn queue_shows_full_gauge_and_blocked_producer() {
    let s = Shot::run(&prodcons_world(), &PRODCONS).text();
    assert!(row_with(&s, "queue jobs").contains("5/5 full"));
    let gauge = row_with(&s, "[█████]");
    // The items in the order they will come out, said to be.
    assert!(gauge.contains("[█████] next: item-3 item-4"), "{gauge}");
    assert!(s.contains("item-5 item-6 item-7"), "{s}");
    assert!(row_with(&s, "blocked on put").contains("producer"));
    assert!(row_with(&s, "queue results").contains("depth 1"));
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
    let s = Shot::run(&w, &LOCK).text();
    assert!(row_with(&s, "Objects").contains("1–"), "{s}");
    assert!(row_with(&s, "Objects").contains("of 12"));
    assert!(s.contains("more"));
    let view = View {
        object_scroll: 4,
        ..View::default()
    };
    let s = Shot::run(&w, &LOCK).view(view).text();
    assert!(row_with(&s, "Objects").contains("5–"));
    assert!(s.contains("↑ 4 above"));
    assert!(row_with(&s, "lock L5").contains("free"));
}

#[test]
fn an_array_shows_its_cells_and_the_last_one_touched_a_float_value_as_python_prints_it() {
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"cells","kind":"value","capacity":40"#,
        ),
        op(
            0,
            0,
            r#""o":2,"op":"object","name":"progress","kind":"value""#,
        ),
        op(MS, 0, r#""o":2,"op":"write","value":0.25"#),
    ];
    for i in 0..40 {
        lines.push(op(
            2 * MS,
            0,
            &format!(r#""o":1,"op":"write","value":{},"index":{i}"#, 1000 + i),
        ));
    }
    lines.push(op(
        3 * MS,
        0,
        r#""o":1,"op":"read","value":1030,"index":30"#,
    ));
    let w = world(&lines.join("\n"));
    let s = Shot::run(&w, &LOCK).text();
    assert!(row_with(&s, "value progress").contains("= 0.25"), "{s}");
    assert!(row_with(&s, "value cells").contains("array of 40"), "{s}");
    // Forty cells do not fit: those around the one read last, cut on both sides.
    let cells = row_with(&s, "1030");
    assert!(
        cells.contains("…") && cells.contains("1029, 1030, 1031"),
        "{cells}"
    );
    assert!(!cells.contains("1000,"), "{cells}");
}

/// Where every object fits, paging down moves nothing: no "above", the first still shown.
#[test]
fn paging_objects_that_all_fit_moves_nothing() {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        op(0, 0, r#""o":2,"op":"object","name":"B","kind":"lock""#),
    ];
    let w = world(&lines.join("\n"));
    let view = View {
        object_scroll: 5,
        ..View::default()
    };
    let s = Shot::run(&w, &LOCK).view(view).text();
    assert!(row_with(&s, "lock A").contains("free"), "{s}");
    assert!(!s.contains("above"), "{s}");
}

/// Shared memory at 80×24: the block by its name, its size, who maps it now (a child that
/// closed it is gone from the list), and its first bytes in hex, read from the block.
#[test]
fn shared_memory_shows_who_maps_it_and_its_bytes_at_80x24() {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"psm_1a2b3c4d","kind":"shared_memory","capacity":4096"#,
        ),
        op(MS, 0, r#""o":1,"op":"attach""#),
        r#"{"t":2000000,"pid":4243,"w":1,"op":"worker","name":"adder","kind":"process","parent":0}"#.into(),
        r#"{"t":3000000,"pid":4243,"w":1,"op":"attach","o":1}"#.into(),
        r#"{"t":4000000,"pid":4244,"w":2,"op":"worker","name":"reader","kind":"process","parent":0}"#.into(),
        r#"{"t":5000000,"pid":4244,"w":2,"op":"attach","o":1}"#.into(),
        r#"{"t":6000000,"pid":4244,"w":2,"op":"detach","o":1}"#.into(),
    ];
    let mut w = world(&lines.join("\n"));
    let mut bytes = vec![0u8; 64];
    bytes[..4].copy_from_slice(&[0, 0, 0, 7]);
    w.saw_memory(1, 6 * MS, &bytes);
    bytes[3] = 8;
    w.saw_memory(1, 7 * MS, &bytes);
    let s = crate::assert_screen!(Shot::run(&w, &LOCK).size(80, 24));
    assert!(
        row_with(&s, "psm_1a2b3c4d").contains("shared memory"),
        "{s}"
    );
    assert!(s.contains("4 KiB"), "{s}");
    // The card, one process a line; reader closed it, and is not among them.
    let card: Vec<&str> = s
        .lines()
        .filter_map(|l| l.split("││").nth(1))
        .map(str::trim_end)
        .collect();
    let at = card
        .iter()
        .position(|l| l.contains("mapped by:"))
        .expect("mapped by");
    assert!(card[at + 1].trim_start().starts_with("main"), "{card:?}");
    assert!(card[at + 2].trim_start().starts_with("adder"), "{card:?}");
    assert!(!card.iter().any(|l| l.contains("reader")), "{card:?}");
    // Since when they have held so, and the byte that changed bracketed (it reads without
    // colour).
    assert!(
        card.iter().any(|l| l.contains("bytes since 0.0s:")),
        "{card:?}"
    );
    assert!(
        card.iter().any(|l| l.contains("00 00 00[08]00 00")),
        "{card:?}"
    );
}
