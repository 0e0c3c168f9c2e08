//! `threadlanes::sync` traced: the same cases as untraced, with every operation sent to a
//! socket this test listens on, and what was sent read back as the wire format and checked
//! with the model's checker (a lock never has two holders, a channel keeps its order and
//! its capacity, every end follows its begin).

mod rust_sync_cases;

use std::io::Read;
use std::os::unix::net::UnixListener;
use threadlanes::event::{Op, WorkerKind};

#[test]
fn the_sync_types_keep_their_semantics_traced_and_their_stream_checks() {
    let dir = std::env::temp_dir().join(format!("threadlanes-rust-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("events.sock");
    let _ = std::fs::remove_file(&sock);
    let listener = UnixListener::bind(&sock).unwrap();
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("THREADLANES_SOCKET", &sock) };
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_millis(300)))
            .unwrap();
        let mut all = Vec::new();
        let mut buf = [0u8; 1 << 16];
        // Until the program has said nothing for a while (it never closes: it goes on).
        while let Ok(n @ 1..) = conn.read(&mut buf) {
            all.extend_from_slice(&buf[..n]);
        }
        all
    });
    rust_sync_cases::all();
    threadlanes::sync::flush();
    let bytes = reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mut events: Vec<_> = threadlanes::wire::read_stream(&bytes[..])
        .map(|r| r.expect("our own lines decode"))
        .collect();
    // threadlanes merges a program's lines by `t`, as here.
    events.sort_by_key(|e| e.t);
    let violations = threadlanes::model::check::check_all(&events);
    assert!(violations.is_empty(), "{violations:?}");
    let kinds: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Object { kind, .. } => Some(kind.as_str()),
            _ => None,
        })
        .collect();
    for k in [
        "lock",
        "rwlock",
        "condition",
        "barrier",
        "queue",
        "rendezvous",
    ] {
        assert!(kinds.contains(&k), "{k} not declared: {kinds:?}");
    }
    let shared = |e: &&threadlanes::event::Event| {
        matches!(
            e.op,
            Op::AcquireSharedEnd { ok: true, .. } | Op::ReleaseShared { .. }
        )
    };
    assert_eq!(
        events.iter().filter(shared).count(),
        6,
        "three reads, each let go"
    );
    let named = events.iter().any(
        |e| matches!(&e.op, Op::Worker { name, kind: WorkerKind::Thread, .. } if name == "doomed"),
    );
    assert!(named, "the thread named doomed is declared");
    let panicked = events
        .iter()
        .any(|e| matches!(&e.op, Op::Exit { msg: Some(m), .. } if m == "on purpose"));
    assert!(panicked, "its panic is its exit");
}
