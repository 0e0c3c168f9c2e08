//! What `threadlanes::sync` promises whether traced or not: the semantics of the types it
//! replaces. Included by `rust_sync_plain.rs` (no viewer) and `rust_sync_traced.rs` (every
//! operation sent to a listening socket), so both flavours pass the same cases.

use std::time::{Duration, Instant};
use threadlanes::sync::channel::{self, RecvTimeoutError, TryRecvError, TrySendError};
use threadlanes::sync::{Arc, Barrier, Condvar, Mutex, Once, RwLock};
use threadlanes::thread;

pub fn a_mutex_counts_every_increment_of_four_threads() {
    let m = Arc::new(Mutex::new(0u64));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            thread::spawn(move || {
                for _ in 0..1000 {
                    *m.lock() += 1;
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*m.lock(), 4000);
    let m = Arc::try_unwrap(m).unwrap();
    assert_eq!(m.into_inner(), 4000);
}

pub fn try_lock_fails_while_held_and_try_lock_for_times_out() {
    let m = Mutex::new(1).named("held");
    let g = m.lock();
    assert!(m.try_lock().is_none());
    let start = Instant::now();
    assert!(m.try_lock_for(Duration::from_millis(20)).is_none());
    assert!(start.elapsed() >= Duration::from_millis(20));
    drop(g);
    assert_eq!(*m.try_lock().expect("free now"), 1);
    let mut g = m.lock();
    let free = threadlanes::sync::MutexGuard::unlocked(&mut g, || m.try_lock().is_some());
    assert!(free, "let go while unlocked runs");
    assert!(m.try_lock().is_none(), "held again after");
}

pub fn rwlock_reads_together_and_writes_alone() {
    let l = RwLock::new(5);
    {
        let a = l.read();
        let b = l.read();
        assert_eq!(*a + *b, 10);
        assert!(l.try_write().is_none());
    }
    *l.write() += 1;
    assert_eq!(*l.read(), 6);
}

pub fn condvar_wakes_a_waiter_and_times_out_without_one() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = pair.clone();
    let h = thread::spawn(move || {
        let (m, cv) = &*p2;
        let mut ready = m.lock();
        cv.wait_while(&mut ready, |r| !*r);
        *ready
    });
    thread::sleep(Duration::from_millis(10));
    {
        let (m, cv) = &*pair;
        *m.lock() = true;
        cv.notify_all();
    }
    assert!(h.join().unwrap());
    let (m, cv) = &*pair;
    let mut g = m.lock();
    assert!(cv.wait_for(&mut g, Duration::from_millis(10)).timed_out());
    let r = cv.wait_while_for(&mut g, |_| true, Duration::from_millis(10));
    assert!(r.timed_out());
}

pub fn a_barrier_lets_all_through_with_one_leader() {
    let b = Arc::new(Barrier::new(3));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let b = b.clone();
            thread::spawn(move || b.wait().is_leader())
        })
        .collect();
    let leaders = hs.into_iter().map(|h| h.join().unwrap());
    assert_eq!(leaders.filter(|l| *l).count(), 1);
}

pub fn once_runs_its_initialiser_once() {
    static ONCE: Once = Once::new();
    static RUNS: Mutex<u32> = Mutex::new(0);
    let hs: Vec<_> = (0..3)
        .map(|_| thread::spawn(|| ONCE.call_once(|| *RUNS.lock() += 1)))
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert!(ONCE.is_completed());
    assert_eq!(*RUNS.lock(), 1);
}

pub fn a_bounded_channel_is_fifo_and_refuses_when_full() {
    let (tx, rx) = channel::bounded(2);
    tx.send(1).unwrap();
    tx.try_send(2).unwrap();
    assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
    assert_eq!((tx.len(), tx.capacity(), tx.is_full()), (2, Some(2), true));
    assert_eq!(rx.recv().unwrap(), 1);
    assert_eq!(rx.try_recv().unwrap(), 2);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(5)),
        Err(RecvTimeoutError::Timeout)
    );
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(rx.recv().is_err());
}

pub fn a_channel_drains_before_it_reports_disconnection() {
    let (tx, rx) = channel::unbounded();
    let tx2 = tx.clone();
    let h = thread::spawn(move || {
        for i in 0..50 {
            tx2.send(i).unwrap();
        }
    });
    for i in 50..100 {
        tx.send(i).unwrap();
    }
    drop(tx);
    h.join().unwrap();
    let mut got: Vec<i32> = rx.iter().collect();
    got.sort_unstable();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    let (tx, rx) = channel::unbounded::<u8>();
    drop(rx);
    assert_eq!(tx.send(7).unwrap_err().0, 7);
}

pub fn a_zero_capacity_channel_hands_over_directly() {
    let (tx, rx) = channel::bounded(0);
    assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
    // No receiver: a send waits for one, and gives up at its deadline.
    let gave_up = tx.send_timeout(1, Duration::from_millis(20));
    assert!(matches!(
        gave_up,
        Err(channel::SendTimeoutError::Timeout(1))
    ));
    assert!(tx.is_empty() && tx.is_full(), "always both, as crossbeam's");
    assert_eq!(tx.capacity(), Some(0));
    let h = thread::spawn(move || {
        tx.send(2).unwrap();
        tx.send(3).unwrap();
    });
    assert_eq!(rx.recv().unwrap(), 2);
    assert_eq!(rx.recv().unwrap(), 3);
    h.join().unwrap();
    assert!(rx.recv().is_err());
}

pub fn a_panicking_thread_gives_its_panic_to_join() {
    let h = thread::Builder::new()
        .name("doomed".into())
        .spawn(|| -> u8 { panic!("on purpose") })
        .unwrap();
    let err = h.join().unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"on purpose"));
    let named = thread::Builder::new()
        .name("named".into())
        .spawn(|| thread::current().name().map(str::to_string))
        .unwrap();
    assert_eq!(named.join().unwrap().as_deref(), Some("named"));
}

/// Every case, in one test (the traced binary runs them in one process, one after another).
pub fn all() {
    a_mutex_counts_every_increment_of_four_threads();
    try_lock_fails_while_held_and_try_lock_for_times_out();
    rwlock_reads_together_and_writes_alone();
    condvar_wakes_a_waiter_and_times_out_without_one();
    a_barrier_lets_all_through_with_one_leader();
    once_runs_its_initialiser_once();
    a_bounded_channel_is_fifo_and_refuses_when_full();
    a_channel_drains_before_it_reports_disconnection();
    a_zero_capacity_channel_hands_over_directly();
    a_panicking_thread_gives_its_panic_to_join();
}
