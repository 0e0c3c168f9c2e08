//! A traced Rust program never waits for its viewer: with a viewer that takes the
//! connection and never reads it, a flood of lock operations runs at its own pace, and what
//! could not be sent is dropped and counted.

use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};
use threadlanes::sync::Mutex;

#[test]
fn a_viewer_that_never_reads_does_not_slow_the_program() {
    let dir = std::env::temp_dir().join(format!("threadlanes-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("events.sock");
    let _ = std::fs::remove_file(&sock);
    let listener = UnixListener::bind(&sock).unwrap();
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("THREADLANES_SOCKET", &sock) };
    let held = std::thread::spawn(move || listener.accept().map(|(conn, _)| conn));
    let m = Mutex::new(0u64).named("flooded");
    let start = Instant::now();
    for _ in 0..300_000 {
        *m.lock() += 1;
    }
    let took = start.elapsed();
    let _conn = held.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "300,000 traced lock+unlock in {took:?}, {} events dropped",
        threadlanes::sync::dropped()
    );
    assert_eq!(*m.lock(), 300_000);
    assert!(
        threadlanes::sync::dropped() > 0,
        "900,000 events cannot all fit in a socket nobody reads"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}
