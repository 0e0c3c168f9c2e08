//! `threadlanes::sync` beside what it replaces, in the same run:
//!
//! - `mutex`: a lock+unlock of parking_lot's `Mutex` (the baseline), of ours with no viewer
//!   (the promise: at most 1.2× the baseline), and of ours traced (its three events:
//!   acquire_begin, acquire_end, release, stamped and pushed into the thread's ring; a
//!   thread on the side drains the socket). Traced, a ring the writer cannot empty fast
//!   enough drops events rather than wait, so the figure is the program's cost, not the
//!   viewer's.
//! - `channel`: a send+recv of crossbeam's bounded channel and of ours with no viewer.
//!
//! `tracing`'s cost for the same three events is in `cargo bench --bench probe`.
//!
//! `cargo bench --bench sync`

use divan::{Bencher, black_box};
use std::io::Read;
use threadlanes::sync::{Mutex, channel};

fn main() {
    let dir = listen();
    divan::main();
    let _ = std::fs::remove_dir_all(dir);
}

/// A viewer's socket that takes everything and keeps nothing, named in the environment
/// before the first operation, so this process connects to it; the directory it is in.
fn listen() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("threadlanes-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let sock = dir.join("events.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).expect("a socket");
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = vec![0u8; 1 << 16];
            while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
        }
    });
    // SAFETY: no other thread reads the environment yet.
    unsafe { std::env::set_var("THREADLANES_SOCKET", &sock) };
    threadlanes::sync::bench_tracing(true);
    dir
}

mod mutex {
    use super::*;

    #[divan::bench]
    fn parking_lot_lock_unlock(b: Bencher) {
        let m = parking_lot::Mutex::new(0u64);
        b.bench_local(|| {
            *black_box(&m).lock() += 1;
        });
    }

    #[divan::bench]
    fn sync_lock_unlock_no_viewer(b: Bencher) {
        threadlanes::sync::bench_tracing(false);
        let m = Mutex::new(0u64);
        b.bench_local(|| {
            *black_box(&m).lock() += 1;
        });
    }

    #[divan::bench]
    fn sync_lock_unlock_traced(b: Bencher) {
        threadlanes::sync::bench_tracing(true);
        let m = Mutex::new(0u64);
        b.bench_local(|| {
            *black_box(&m).lock() += 1;
        });
        threadlanes::sync::bench_tracing(false);
    }
}

mod channel_send_recv {
    use super::*;

    #[divan::bench]
    fn crossbeam(b: Bencher) {
        let (tx, rx) = crossbeam_channel::bounded(16);
        b.bench_local(|| {
            tx.send(black_box(1u64)).expect("open");
            rx.recv().expect("one there")
        });
    }

    #[divan::bench]
    fn sync_no_viewer(b: Bencher) {
        threadlanes::sync::bench_tracing(false);
        let (tx, rx) = channel::bounded(16);
        b.bench_local(|| {
            tx.send(black_box(1u64)).expect("open");
            rx.recv().expect("one there")
        });
    }
}
