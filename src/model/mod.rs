//! model: a pure fold of events into a `World` — workers and their states, objects and their
//! state, per-lane timelines, the wait-for graph, counters.
//!
//! No threads, no clocks, no terminal, no I/O: everything here is unit-tested alone.

pub mod caption;
pub mod cause;
pub mod check;
pub mod describe;
pub mod graph;
pub mod history;
pub mod lockorder;
pub mod log;
mod memory;
pub mod object;
pub mod spark;
pub mod task;
pub mod timeline;
pub mod waitfor;
pub mod worker;
pub mod world;

pub use history::History;
pub use object::{Object, ObjectState};
pub use timeline::{Phase, Timeline};
pub use worker::{Wait, Worker, WorkerState};
pub use world::{Limits, World};

#[cfg(test)]
mod cause_tests;
#[cfg(test)]
mod describe_tests;
#[cfg(test)]
mod lockorder_tests;
#[cfg(test)]
mod memory_tests;
#[cfg(test)]
mod rwlock_tests;
#[cfg(test)]
mod task_tests;
#[cfg(test)]
mod tests;
