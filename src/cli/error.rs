//! What can be wrong with the command line's arguments, in the words the user reads.

/// The longest `--for` of any command: long enough for any soak, short enough that the
/// time fits a `Duration` and a recording's frame count fits in memory.
pub const MAX_FOR_SECS: f64 = 86_400.0;

/// A bad argument: what was wrong and what is valid. The messages are the command line's
/// own (`threadlanes: ` goes before them).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgsError {
    #[error("unknown scenario \"{name}\"; valid scenarios: {valid}")]
    UnknownScenario { name: String, valid: String },
    #[error("--speed {speed} is out of range: use 0.1 to {max}")]
    Speed { speed: f64, max: f64 },
    #[error("--for {0}: give a positive number of seconds, at most {max} (one day)", max = MAX_FOR_SECS)]
    For(f64),
    #[error(
        "--step is for the TUI (you choose each step there); headless, use --seed N for a \
         reproducible schedule"
    )]
    StepHeadless,
    #[error("scenario {scenario} has no variants (got --variant {got})")]
    NoVariants { scenario: &'static str, got: String },
    #[error("unknown variant \"{got}\" for {scenario}; valid: {valid}")]
    UnknownVariant {
        got: String,
        scenario: &'static str,
        valid: String,
    },
    /// `valid` lists the parameters (or says there are none).
    #[error("--set {set}: expected NAME=VALUE; {valid}")]
    SetSyntax { set: String, valid: String },
    #[error("--set {set}: unknown parameter \"{name}\"; {valid}")]
    UnknownParam {
        set: String,
        name: String,
        valid: String,
    },
    #[error("--set {set}: \"{value}\" is not a whole number")]
    NotAWholeNumber { set: String, value: String },
    #[error("--set {set}: {name} must be between {min} and {max}")]
    OutOfRange {
        set: String,
        name: &'static str,
        min: i64,
        max: i64,
    },
    /// A schedule that does not parse (its own words say what one looks like).
    #[error("--replay: {0}")]
    Schedule(String),
    #[error("--runs {0}: give at least 1")]
    Runs(u64),
    #[error("--time {0}: give a positive number of seconds, at most {max} (one day)", max = MAX_FOR_SECS)]
    Time(f64),
    #[error("--size {0}: expected COLSxROWS, e.g. 100x30")]
    SizeSyntax(String),
    #[error("--size {0}: columns and rows go from 1 to 1000 (the screen needs 80x24)")]
    SizeRange(String),
}

/// For callers whose own errors are still text (`record_cmd`, `export_cmd`).
impl From<ArgsError> for String {
    fn from(e: ArgsError) -> String {
        e.to_string()
    }
}
