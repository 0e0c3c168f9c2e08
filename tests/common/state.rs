//! The App's state types that screens draw (view, status, hints, what a parked worker does
//! next), imported here once for every test binary that draws a screen: when the types
//! move, this `use` is the one line to change.
#![allow(unused_imports)] // each test binary uses its own part of these

pub use threadlanes::ui::Screen;
pub use threadlanes::view::{Hint, NextOp, RunState, Status, View};
