//! threadlanes makes concurrency visible. Scenario code runs on real OS threads (and real
//! child processes) using the instrumented primitives of [`probe`], which report every
//! operation as an [`event::Event`]. The [`runner`] owns the virtual clock, the step gate and
//! cancellation; the [`model`] folds events into a [`model::World`]; the [`ui`] draws it;
//! the [`app`] ties them together in the terminal. Data flows one way:
//! scenario → probe → model → ui.

pub mod app;
pub mod cast;
pub mod cli;
pub mod event;
pub mod explore;
pub mod headless;
pub mod keys;
pub mod model;
pub mod probe;
pub mod process;
pub mod record;
pub mod runner;
pub mod scenarios;
pub mod source;
pub mod sync;
pub mod thread;
pub mod trace;
pub mod ui;
pub mod view;
pub mod wire;
