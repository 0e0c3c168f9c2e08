//! The scenario catalogue: one file per scenario, each a few short functions in the
//! tutorial's terms; the machinery lives in `probe` and `runner`.

pub mod info;
