//! The help overlay: every key over the run screen.

use crate::fixtures::*;
use crate::state::{RunState, View};
use crate::{Shot, assert_screen};

#[test]
fn help_overlay() {
    let view = View {
        help: true,
        ..View::default()
    };
    assert_screen!(
        Shot::run(&lock_world(), &LOCK)
            .view(view)
            .state(RunState::Paused)
    );
}
