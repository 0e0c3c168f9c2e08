//! `sleep`: an awaited sleep (Python's `await asyncio.sleep(secs)`). The task gives its
//! thread back until a deadline on the run's virtual clock; the loop wakes it then.

use super::runtime::this_loop;
use super::task::current_task;
use crate::event::Op;
use crate::probe::session::{CurrentWorker, Res};
use crate::probe::wait::secs_to_ns;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Sleeps `secs` seconds of virtual time without keeping the thread: other tasks run
/// meanwhile. `sleep(0.0)` only lets the others run first.
pub async fn sleep(secs: f64) -> Res<()> {
    let me = current_task();
    me.gate("sleep", None)?;
    let ns = secs_to_ns(secs);
    me.emit(Op::SleepBegin { ms: ns / 1_000_000 });
    let deadline = me.now().saturating_add(ns);
    Timer {
        me: me.clone(),
        deadline,
        first: true,
    }
    .await?;
    me.emit(Op::SleepEnd);
    Ok(())
}

struct Timer {
    me: Rc<CurrentWorker>,
    deadline: u64,
    first: bool,
}

impl Future for Timer {
    type Output = Res<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Res<()>> {
        if let Some(stop) = self.me.stopped() {
            return Poll::Ready(Err(stop));
        }
        // Even a sleep already due yields once: that is what an await is for.
        if !self.first && self.me.now() >= self.deadline {
            return Poll::Ready(Ok(()));
        }
        self.first = false;
        if self.me.now() >= self.deadline {
            cx.waker().wake_by_ref();
        } else {
            this_loop().add_timer(self.deadline, cx.waker());
        }
        Poll::Pending
    }
}
