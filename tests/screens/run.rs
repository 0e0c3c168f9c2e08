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
    assert!(s.contains("terminal too small: need 80×24, have 60×20"));
}
