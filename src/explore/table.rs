//! The interleaving of a run as a table: one column per thread, one row per traced
//! operation let through, and a line at each switch saying why the thread before stopped
//! (`switch: t1 waits for lock b (held by t2)`).

use crate::source::traced::Decision;

/// Widest a column gets; longer cells are cut with `…`.
const MAX_COL: usize = 36;
/// Rows shown at most: the first few and the last many (where a run fails).
const HEAD: usize = 8;
const TAIL: usize = 60;

/// The table, one line a row. Each cell is where in the program and what: `12 acquire lock
/// b` when every operation is in one file (the header names it), else `bank.py:12 acquire
/// lock b`.
pub fn table(decisions: &[Decision]) -> String {
    let mut cols: Vec<(crate::event::WorkerId, String)> = Vec::new();
    for d in decisions {
        if !cols.iter().any(|(w, _)| *w == d.w) {
            cols.push((d.w, d.who.clone()));
        }
    }
    let file = |at: &str| at.rsplit_once(':').map_or("", |(f, _)| f).to_string();
    let one_file = decisions
        .first()
        .map(|d| file(&d.at))
        .filter(|f| !f.is_empty() && decisions.iter().all(|d| file(&d.at) == *f));
    let cell = |d: &Decision| {
        let at = match &one_file {
            Some(_) => d.at.rsplit_once(':').map_or("", |(_, l)| l),
            None => d.at.as_str(),
        };
        let s = if at.is_empty() {
            d.what.clone()
        } else {
            format!("{at} {}", d.what)
        };
        cut(&s, MAX_COL)
    };
    let widths: Vec<usize> = cols
        .iter()
        .map(|(w, name)| {
            decisions
                .iter()
                .filter(|d| d.w == *w)
                .map(|d| cell(d).chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let row = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("  {}", parts.join(" │ ")).trim_end().to_string()
    };
    let names: Vec<String> = cols.iter().map(|(_, n)| cut(n, MAX_COL)).collect();
    let mut out = Vec::new();
    if let Some(f) = &one_file {
        out.push(format!("  (lines of {f})"));
    }
    out.push(row(&names));
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    out.push(format!("  {}", rule.join("─┼─")));
    let n = decisions.len();
    for (i, d) in decisions.iter().enumerate() {
        if n > HEAD + TAIL && i == HEAD {
            out.push(format!("  … {} operations …", n - HEAD - TAIL));
        }
        if n > HEAD + TAIL && i >= HEAD && i < n - TAIL {
            continue;
        }
        if let Some(why) = &d.switch {
            out.push(format!("  ── switch: {why}"));
        }
        let cells: Vec<String> = cols
            .iter()
            .map(|(w, _)| if *w == d.w { cell(d) } else { String::new() })
            .collect();
        out.push(row(&cells));
    }
    out.join("\n") + "\n"
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max - 1).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(w: u32, who: &str, what: &str, switch: Option<&str>) -> Decision {
        Decision {
            w,
            who: who.into(),
            o: None,
            what: what.into(),
            at: "x.py:3".into(),
            choice: true,
            switch: switch.map(String::from),
        }
    }

    #[test]
    fn each_thread_has_its_column_and_each_switch_its_reason() {
        let t = table(&[
            d(1, "t1", "acquire lock a", None),
            d(2, "t2", "acquire lock b", Some("t1 could go on")),
            d(1, "t1", "acquire lock b", Some("t2 sleeps")),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "  (lines of x.py)");
        assert!(lines[1].contains("t1") && lines[1].contains("│ t2"), "{t}");
        assert!(lines[3].starts_with("  3 acquire lock a"), "{t}");
        assert_eq!(lines[4], "  ── switch: t1 could go on");
        assert!(lines[5].contains("│ 3 acquire lock b"), "{t}");
    }
}
