//! The child processes of one run: each child's record and the thread reading its output.
//! They end with the run (a
//! `Companion` of its session): killed on cancel, told of pause and resume, read to their end
//! when it finishes.

use super::spawn::ChildProcess;
use crate::probe::Companion;
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

/// The child processes of one run.
#[derive(Default)]
pub struct Children {
    kids: Mutex<Vec<Arc<ChildProcess>>>,
    /// The threads that read each child's output (joined when the run ends).
    readers: Mutex<Vec<JoinHandle<()>>>,
}

impl Children {
    pub(crate) fn add(&self, kid: Arc<ChildProcess>, reader: JoinHandle<()>) {
        self.kids.lock().push(kid);
        self.readers.lock().push(reader);
    }

    /// Kills every child still running (the run is being stopped).
    pub fn kill_all(&self) {
        for k in self.kids.lock().iter() {
            if k.ended().is_none() {
                k.cancelled.store(true, Ordering::SeqCst);
                k.signal(libc::SIGKILL);
            }
        }
    }

    /// Pause tells every child to pause too (its clock stops and its workers hold at their
    /// next operation), resume to go on: they run outside our gate, so this is how "nothing
    /// moves" holds for them.
    pub fn set_paused(&self, paused: bool) {
        use std::io::Write;
        let line = serde_json::json!({"ctl": if paused { "pause" } else { "resume" }});
        for k in self.kids.lock().iter() {
            if k.ended().is_none() {
                let mut w = k.stdin.lock();
                let _ = writeln!(w, "{line}").and_then(|_| w.flush());
            }
        }
    }

    /// At the end of a run: kills what is left and waits until every child's output has been
    /// read and its exit recorded, so the stream is complete when the run says it finished.
    pub fn finish(&self) {
        self.kill_all();
        loop {
            let hs: Vec<_> = std::mem::take(&mut *self.readers.lock());
            if hs.is_empty() {
                return;
            }
            for h in hs {
                let _ = h.join();
            }
        }
    }

    /// Pids of the children still running (for tests and the details panel).
    pub fn live_pids(&self) -> Vec<u32> {
        self.kids
            .lock()
            .iter()
            .filter(|k| k.ended().is_none())
            .map(|k| k.pid)
            .collect()
    }
}

/// A run's children end with it: killed on cancel, paused with it, read to their end when it
/// finishes.
impl Companion for Children {
    fn cancel(&self) {
        self.kill_all();
    }

    fn set_paused(&self, paused: bool) {
        Children::set_paused(self, paused);
    }

    fn finish(&self) {
        Children::finish(self);
    }
}
