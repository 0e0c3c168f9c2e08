//! The event log: what the scenario says stands out.

use crate::fixtures::*;
use crate::{Shot, row_with};

#[test]
fn say_lines_stand_out_in_the_log() {
    let s = Shot::run(&lock_world(), &LOCK).text();
    assert!(row_with(&s, "job1: counter = 2").contains("» "));
}
