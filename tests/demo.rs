//! The demo recording in `assets/` is what its documented command writes: the command
//! `scripts/make-gif.sh --record` runs (its keys read from the script itself), byte for
//! byte. A change to what a scenario shows changes the demo; this says to record it again.

use std::path::PathBuf;
use threadlanes::cli::{Cli, Command as Sub};
use threadlanes::record;

/// A directory of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("threadlanes-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The keys the script records the demo with: its `DEMO_KEYS` default.
fn script_keys() -> String {
    let script = std::fs::read_to_string("scripts/make-gif.sh").expect("the script");
    let from = script.find("DEMO_KEYS:-").expect("DEMO_KEYS in the script") + "DEMO_KEYS:-".len();
    let len = script[from..].find('}').expect("the default's end");
    script[from..from + len].to_string()
}

#[test]
fn the_demo_cast_is_what_its_command_writes() {
    use clap::Parser;
    let keys = script_keys();
    let scratch = Scratch::new();
    let out = scratch.0.join("demo.cast");
    let out_s = out.to_str().expect("a UTF-8 path");
    let args = [
        "threadlanes",
        "record",
        "race",
        "--seed",
        "7",
        "--size",
        "100x30",
        "-o",
        out_s,
        "--keys",
        &keys,
    ];
    let cli = Cli::try_parse_from(args).expect("the documented command parses");
    let Some(Sub::Record(a)) = cli.command else {
        panic!("not a record command");
    };
    record::record_cmd(&a).expect("records");
    let made = std::fs::read(&out).expect("the recording");
    let kept = std::fs::read("assets/demo.cast").expect("assets/demo.cast");
    assert!(
        made == kept,
        "assets/demo.cast is not what `scripts/make-gif.sh --record` writes: record it again"
    );
    let readme = std::fs::read_to_string("README.md").expect("the README");
    assert!(
        readme.contains("scripts/make-gif.sh --record"),
        "the README names the command"
    );
}
