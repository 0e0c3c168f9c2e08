//! The long run, short: the `stress` scenario at top speed, headless, its JSON stream thrown
//! away, for a few seconds, with its resident memory sampled. Memory must stay flat after the
//! warm-up: a producer faster than the viewer has to wait for it (backpressure), not pile its
//! events up. Before that fix memory grew by hundreds of MB in seconds. `scripts/soak.sh`
//! and `scripts/soak-tui.sh` are the same checks for 30 minutes (figures in the README).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
fn stress_memory_stays_flat() {
    let secs = 8;
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args([
            "run",
            "stress",
            "--set",
            "workers=50",
            "--headless",
            "--json",
        ])
        .args(["--for", &secs.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    let warmup = Duration::from_secs(3);
    let (mut baseline, mut peak) = (None, 0);
    while child.try_wait().expect("waitable").is_none() {
        // The steady state only: from the warm-up to half a second before the cut. Stopping
        // fifty workers mid-flood and draining their rings costs a few MB more for a moment,
        // and how many depends on how busy the machine is; that moment is not the leak this
        // looks for.
        let steady = warmup..Duration::from_millis(secs * 1000 - 500);
        if steady.contains(&start.elapsed())
            && let Some(kb) = rss_kib(child.id())
        {
            baseline.get_or_insert(kb);
            peak = peak.max(kb);
        }
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            start.elapsed() < Duration::from_secs(secs + 30),
            "the run ends when --for says"
        );
    }
    let code = child.wait().expect("exited").code();
    assert_eq!(code, Some(2), "cut by --for");
    let baseline = baseline.expect("sampled after the warm-up");
    let growth = peak.saturating_sub(baseline);
    // Flat with room for one stall: a viewer thread kept off the CPU for 200 ms (a loaded
    // machine) lets the producers spill into the side list rather than wait on it
    // (probe/sink.rs `GIVE_UP`), which costs tens of MB once; a leak costs hundreds.
    assert!(
        growth < 64 * 1024,
        "memory grew {growth} KiB after the warm-up (baseline {baseline} KiB, peak {peak} KiB)"
    );
}
