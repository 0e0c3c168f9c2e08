//! The whole run screen of each kind of scenario, and the screen a terminal too small for it
//! gets.

use crate::fixtures::*;
use crate::state::{RunState, View};
use crate::{Shot, assert_screen};

#[test]
fn lock_screen() {
    assert_screen!(Shot::run(&lock_world(), &LOCK));
}

#[test]
fn semaphore_screen() {
    let view = View {
        selected: 6,
        ..View::default()
    };
    assert_screen!(Shot::run(&semaphore_world(), &SEMAPHORE).view(view));
}

#[test]
fn traffic_light_screen() {
    assert_screen!(Shot::run(&light_world(), &LIGHT).state(RunState::Paused));
}

#[test]
fn producer_consumer_screen() {
    assert_screen!(Shot::run(&prodcons_world(), &PRODCONS));
}

#[test]
fn producer_consumer_screen_80x24() {
    assert_screen!(Shot::run(&prodcons_world(), &PRODCONS).size(80, 24));
}

#[test]
fn too_small_screen() {
    let s = assert_screen!(Shot::run(&lock_world(), &LOCK).size(60, 20));
    assert!(s.contains("terminal too small: need 80×24, have 60×20 · q quits"));
}

#[test]
fn an_explanation_too_long_for_its_panel_turns_its_pages_with_e() {
    let page = |n: usize| {
        // The details take the left half's rows, so the explanation has fewer.
        let view = View {
            explain_page: n,
            selected: 2,
            details: true,
            ..View::default()
        };
        Shot::run(&lock_world(), &LOCK).view(view).text()
    };
    let (first, second, round) = (page(0), page(1), page(2));
    // Which page, and the key that turns it, in the panel's bottom border.
    let pager = |s: &str| {
        s.lines()
            .find(|l| l.contains("e more") || l.contains("e first"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(pager(&first).contains("1/2 · e more"), "{first}");
    // The last page says that e turns back to the first.
    assert!(pager(&second).contains("2/2 · e first"), "{second}");
    assert_ne!(first, second, "the second page shows other words");
    assert_eq!(first, round, "the pages wrap round");
}
