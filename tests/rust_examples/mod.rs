//! The Rust examples (`examples/`) as the tests run them: their binaries, built first if
//! `cargo test` did not build them (a filtered run).

use std::path::PathBuf;
use std::process::Command;

/// The example's binary.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows where it is");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/debug/deps/this-test");
    let path = debug.join("examples").join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example {name}");
    }
    path
}
