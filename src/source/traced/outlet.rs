//! The reader's end of the channel to the viewer. The channel is bounded, so memory stays
//! flat whatever the program's rate; what happens when it is full depends on the viewer:
//!
//! - lossless (headless): what does not fit waits here, in order, and the outlet says it
//!   is backed up. The reader then stops feeding it (in free mode it keeps what it reads
//!   in its backlog, so the program never waits for the viewer; with gates it reads no
//!   more, and the program waits on its socket). Either way nothing is lost, and what waits
//!   here is at most one read's worth of events. Once the viewer stops the run it takes no
//!   more, so from then on the outlet is lossy (a stop must not wait for the viewer).
//! - lossy (the TUI, which folds only a few ms a frame): the reader never waits, so the
//!   program runs as it would untraced. What does not fit is dropped and counted, except
//!   what the viewer cannot do without (a worker or object declared, a worker's exit, a
//!   problem): those wait here, in order, up to [`KEPT`], for room in the channel.
//!
//! Never reads the program and never decides what an event means beyond which ones must
//! not be lost.

use crate::event::Op;
use crate::source::Item;
use crossbeam_channel::{Receiver, Sender, TrySendError};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Items the channel holds: about 10 MB of events at most.
pub const CAPACITY: usize = 1 << 16;

/// Items that must not be lost, kept here while the channel is full.
pub const KEPT: usize = 1 << 14;

/// Items dropped because the viewer could not keep up, shared with the viewer's side.
pub type Dropped = Arc<AtomicU64>;

/// Set by the viewer when it stops the run: it will not wait for more.
pub type Stopping = Arc<AtomicBool>;

/// How often the end of the run looks whether the viewer has made room.
const LOOK_EVERY: Duration = Duration::from_millis(5);

/// A bounded channel for a viewer that keeps up or not (see the module doc).
pub fn channel() -> (Sender<Item>, Receiver<Item>) {
    crossbeam_channel::bounded(CAPACITY)
}

pub struct Outlet {
    tx: Sender<Item>,
    lossless: bool,
    stopping: Stopping,
    /// Items that must not be lost, waiting for room (every later item goes behind them).
    waiting: VecDeque<Item>,
    dropped: Dropped,
    /// Dropping since the last item that went through: the gap is marked once.
    in_gap: bool,
}

impl Outlet {
    pub fn new(tx: Sender<Item>, lossless: bool, dropped: Dropped, stopping: Stopping) -> Outlet {
        Outlet {
            tx,
            lossless,
            stopping,
            waiting: VecDeque::new(),
            dropped,
            in_gap: false,
        }
    }

    pub fn send(&mut self, item: Item) {
        self.flush();
        if self.lossless && !self.stopping() {
            if !self.waiting.is_empty() {
                return self.waiting.push_back(item);
            }
            if let Err(TrySendError::Full(item)) = self.try_send(item) {
                self.waiting.push_back(item);
            }
            return;
        }
        if !self.waiting.is_empty() {
            return self.keep(item);
        }
        match self.try_send(item) {
            Ok(()) => self.in_gap = false,
            Err(TrySendError::Full(item)) => self.keep(item),
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// What waits goes on as far as the channel has room.
    pub fn flush(&mut self) {
        while let Some(item) = self.waiting.pop_front() {
            match self.try_send(item) {
                Ok(()) => {}
                Err(TrySendError::Full(item)) => {
                    self.waiting.push_front(item);
                    return;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.waiting.clear();
                    return;
                }
            }
        }
    }

    /// The end of the run: what waits goes on, however long the viewer takes (until it is
    /// gone or stops the run).
    pub fn close(mut self) {
        while !self.waiting.is_empty() && !self.stopping.load(Ordering::Relaxed) {
            self.flush();
            if !self.has_room() {
                std::thread::sleep(LOOK_EVERY);
            }
        }
    }

    /// `try_send`, except that a channel one short of full counts as full. The viewer
    /// takes an item in two steps (it moves the head, then marks the slot free); when the
    /// channel is full and the viewer is between the two, crossbeam's `try_send` spins
    /// until the slot is marked. The headless printer runs at the lowest priority (it
    /// yields the CPU to the reader), so that spin could last its whole time slice. With
    /// one slot kept back the slot to write is never the one being taken.
    fn try_send(&self, item: Item) -> Result<(), TrySendError<Item>> {
        if !self.has_room() {
            return Err(TrySendError::Full(item));
        }
        self.tx.try_send(item)
    }

    fn has_room(&self) -> bool {
        self.tx.len() + 1 < CAPACITY
    }

    /// A lossless viewer has more than it can take: what comes next should wait until it
    /// has room (see the module doc).
    pub fn backed_up(&self) -> bool {
        self.lossless && !self.waiting.is_empty() && !self.stopping()
    }

    /// The viewer is stopping the run.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Items waiting here for room.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn keep(&mut self, item: Item) {
        if must_reach_the_viewer(&item) && self.waiting.len() < KEPT {
            self.waiting.push_back(item);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            // The viewer learns where events went missing, in order with what it gets.
            if !self.in_gap {
                self.in_gap = true;
                self.waiting.push_back(Item::Gap);
            }
        }
    }
}

/// Without these the viewer's picture would be wrong for the rest of the run, not only
/// miss a moment of it.
fn must_reach_the_viewer(item: &Item) -> bool {
    match item {
        Item::Event(ev) => matches!(
            ev.op,
            Op::Worker { .. } | Op::Object { .. } | Op::Exit { .. }
        ),
        Item::Problem(_) | Item::Gap => true,
        Item::Output { .. } => false,
    }
}

/// A line of the program's stderr for a lossy viewer: dropped (and counted) when the
/// channel is full; the program's output is kept whole elsewhere.
pub fn offer(tx: &Sender<Item>, item: Item, dropped: &Dropped) {
    if let Err(TrySendError::Full(_)) = tx.try_send(item) {
        dropped.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Op};

    fn ev(op: Op) -> Item {
        Item::Event(Event {
            t: 0,
            pid: 1,
            w: 0,
            op,
        })
    }

    #[test]
    fn a_lossy_outlet_keeps_at_most_its_bounds_and_counts_the_rest() {
        let (tx, rx) = channel();
        let dropped = Dropped::default();
        let mut out = Outlet::new(tx, false, dropped.clone(), Stopping::default());
        let n = 3 * CAPACITY as u64;
        for i in 0..n {
            out.send(ev(Op::SleepEnd));
            if i % 1000 == 0 {
                out.send(ev(Op::Start));
                out.send(ev(Op::Exit {
                    how: crate::event::ExitHow::Ok,
                    msg: None,
                }));
            }
        }
        assert_eq!(rx.len(), CAPACITY - 1, "one slot kept back");
        let exits = (n / 1000 + 1) as usize;
        // The exits kept, and one mark of the gap where dropping began.
        assert!(out.waiting() <= exits + 1, "{}", out.waiting());
        let mut items: Vec<Item> = rx.try_iter().collect();
        out.flush();
        items.extend(rx.try_iter());
        let gaps = items.iter().filter(|i| matches!(i, Item::Gap)).count();
        assert_eq!(gaps, 1, "one gap: dropping began once and never stopped");
        let got = (items.len() - gaps) as u64;
        assert_eq!(got + dropped.load(Ordering::Relaxed), n + 2 * exits as u64);
        assert_eq!(out.waiting(), 0);
    }

    /// A lossless outlet never waits and never drops: what does not fit waits, in order,
    /// and it says it is backed up until the viewer has taken enough.
    #[test]
    fn a_lossless_outlet_keeps_everything_in_order_and_says_when_it_is_backed_up() {
        let (tx, rx) = channel();
        let dropped = Dropped::default();
        let mut out = Outlet::new(tx, true, dropped.clone(), Stopping::default());
        let n = CAPACITY + 100;
        for i in 0..n {
            out.send(Item::Problem(i.to_string()));
        }
        assert!(out.backed_up());
        assert_eq!(out.waiting(), 101, "one slot kept back");
        let mut got: Vec<Item> = rx.try_iter().collect();
        out.flush();
        assert!(!out.backed_up());
        got.extend(rx.try_iter());
        let texts: Vec<String> = got
            .into_iter()
            .map(|i| match i {
                Item::Problem(t) => t,
                other => panic!("{other:?}"),
            })
            .collect();
        let want: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        assert_eq!(texts, want);
        assert_eq!(dropped.load(Ordering::Relaxed), 0);
    }
}
