//! Where a traced program's stdout lines go under the TUI. A Python program says its prints
//! itself (each a `say` event in the lane of the thread that printed), so its stdout is only
//! kept for after the TUI; any other program's lines (a Rust program traced through
//! `threadlanes::sync`, whose `println!` nothing sees) go to the log as they come. Which it
//! is, the first worker line read says: the Python shim marks its own with
//! `"lang":"python"`. Lines printed before that line is read wait for it; a program that
//! never connects has its lines let go at its end.

use super::outlet::{self, Dropped};
use crate::source::Item;
use crossbeam_channel::Sender;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lines held while undecided, at most: a program that prints this much before saying who
/// it is is not a Python program of ours (the shim speaks before the program runs), and its
/// lines are shown from then on.
const MOST_HELD: usize = 1000;

enum Route {
    Undecided(Vec<String>),
    /// Its prints come as events: stdout is only kept.
    Said,
    /// To the log, as output lines.
    Shown,
}

pub struct StdoutRoute {
    route: Mutex<Route>,
    /// Decided (either way): the reader no longer looks at worker lines.
    decided: AtomicBool,
    tx: Sender<Item>,
    dropped: Dropped,
}

impl StdoutRoute {
    pub fn new(tx: Sender<Item>, dropped: Dropped) -> StdoutRoute {
        StdoutRoute {
            route: Mutex::new(Route::Undecided(Vec::new())),
            decided: AtomicBool::new(false),
            tx,
            dropped,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Route> {
        self.route.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A line the program wrote on stdout (without its newline).
    pub fn line(&self, text: String) {
        let full = match &mut *self.lock() {
            Route::Undecided(held) => {
                held.push(text);
                held.len() >= MOST_HELD
            }
            Route::Said => false,
            Route::Shown => {
                self.show(text);
                false
            }
        };
        if full {
            self.decide(true);
        }
    }

    pub fn is_decided(&self) -> bool {
        self.decided.load(Ordering::Relaxed)
    }

    /// A line the reader read, while undecided: a worker's declaration decides.
    pub fn read(&self, line: &[u8]) {
        if !contains(line, b"\"op\":\"worker\"") {
            return;
        }
        self.decide(!contains(line, b"\"lang\":\"python\""));
    }

    /// Lines go to the log (`shown`) or are only kept; those held go the same way.
    pub fn decide(&self, shown: bool) {
        let mut route = self.lock();
        let held =
            match std::mem::replace(&mut *route, if shown { Route::Shown } else { Route::Said }) {
                Route::Undecided(held) => held,
                // Decided already: the first decision stands.
                other => {
                    *route = other;
                    return;
                }
            };
        self.decided.store(true, Ordering::Relaxed);
        if shown {
            for text in held {
                self.show(text);
            }
        }
    }

    fn show(&self, line: String) {
        let item = Item::Output { line, err: false };
        outlet::offer(&self.tx, item, &self.dropped);
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> (StdoutRoute, crossbeam_channel::Receiver<Item>) {
        let (tx, rx) = crossbeam_channel::bounded(16);
        (StdoutRoute::new(tx, Dropped::default()), rx)
    }

    fn shown(rx: &crossbeam_channel::Receiver<Item>) -> Vec<String> {
        rx.try_iter()
            .filter_map(|i| match i {
                Item::Output { line, err: false } => Some(line),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_rust_programs_lines_go_to_the_log_those_before_its_first_line_too() {
        let (r, rx) = route();
        r.line("starting".into());
        assert!(shown(&rx).is_empty(), "held until it is known who prints");
        r.read(br#"{"t":1,"pid":7,"w":0,"op":"start"}"#);
        assert!(!r.is_decided(), "only a worker's line decides");
        r.read(br#"{"t":1,"pid":7,"w":0,"op":"worker","name":"main","kind":"main"}"#);
        r.line("paid".into());
        assert_eq!(shown(&rx), ["starting", "paid"]);
    }

    #[test]
    fn a_program_that_prints_a_lot_before_saying_who_it_is_is_shown() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let r = StdoutRoute::new(tx, Dropped::default());
        for i in 0..MOST_HELD + 5 {
            r.line(format!("line {i}"));
        }
        assert!(r.is_decided());
        assert_eq!(shown(&rx).len(), MOST_HELD + 5, "none lost");
    }

    #[test]
    fn a_python_programs_lines_are_only_kept_it_says_its_prints_itself() {
        let (r, rx) = route();
        r.line("hello".into());
        r.read(
            br#"{"t":1,"pid":7,"w":0,"op":"worker","name":"main","kind":"main","lang":"python"}"#,
        );
        r.line("again".into());
        assert!(shown(&rx).is_empty());
        // A later Rust child does not change it.
        r.read(br#"{"t":2,"pid":8,"w":0,"op":"worker","name":"main","kind":"main"}"#);
        r.line("more".into());
        assert!(shown(&rx).is_empty());
    }
}
