//! Lengths of time in words: a clock's one decimal, a duration as precise as it needs to
//! be, a countdown that keeps its width. Words only: no clock is read here.

/// Seconds with one decimal, for a clock: "t=1.5s", "ran 12.0s".
pub fn secs(ns: u64) -> String {
    format!("{:.1}s", ns as f64 / 1e9)
}

/// How long something lasts, with the precision it needs: "50ms", "0.35s", "2.5s", "12s".
pub fn duration(ns: u64) -> String {
    const MS: u64 = 1_000_000;
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    match ns {
        0 => "0s".into(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < MS => format!("{}µs", trim(format!("{:.1}", n as f64 / 1e3))),
        n if n < 100 * MS => format!("{}ms", trim(format!("{:.1}", n as f64 / 1e6))),
        n if n < 10_000 * MS => format!("{}s", trim(format!("{:.2}", n as f64 / 1e9))),
        n => format!("{}s", trim(format!("{:.1}", n as f64 / 1e9))),
    }
}

/// How long so far, for a figure that grows as it is watched: one decimal from a second up
/// ("2.3s"), as precise as [`duration`] below ("20ms", "0.35s").
pub fn elapsed(ns: u64) -> String {
    if ns < 1_000_000_000 {
        duration(ns)
    } else {
        secs(ns)
    }
}

/// What is left of a wait of `total` ns: tenths of a second while a tenth or more is left
/// ("1.9s" of 3s), then milliseconds as [`duration`] says a short time ("50ms" of 3s,
/// "30ms" of 50ms), so the end of a long wait never reads "0.0s".
pub fn left(ns: u64, total: u64) -> String {
    const MS: u64 = 1_000_000;
    if total < 100 * MS {
        format!("{}ms", (ns + MS / 2) / MS)
    } else if ns < 100 * MS - MS / 2 {
        // Rounded up: a long wait still going does not read as over.
        format!("{}ms", ns.div_ceil(MS))
    } else {
        format!("{:.1}s", ns as f64 / 1e9)
    }
}
