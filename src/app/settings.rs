//! Settings the app reads from the environment, each with its default and what is wrong
//! with a bad value. Read once at start; nothing here changes while the app runs.

/// Events kept for scrubbing by default (the cursor reaches back at least half of this).
const HISTORY: usize = 200_000;

/// Why `THREADLANES_HISTORY` was ignored.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("THREADLANES_HISTORY={0} ignored: a number of events, at least 1000")]
pub struct BadHistory(String);

/// The scrub history's length: `THREADLANES_HISTORY` if it is a number of at least 1,000,
/// else the default. Longer reaches further back and costs memory (about 100 bytes an event,
/// plus two or three copies of the world).
pub fn history_len() -> usize {
    history_setting().and_then(Result::ok).unwrap_or(HISTORY)
}

/// `THREADLANES_HISTORY` as set: None if unset, the error if unusable.
pub fn history_setting() -> Option<Result<usize, BadHistory>> {
    let v = std::env::var("THREADLANES_HISTORY").ok()?;
    Some(
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 1_000)
            .ok_or(BadHistory(v)),
    )
}
