//! What the README shows is what the program draws: the demo recording in `assets/` is
//! what its documented command writes (the command `scripts/make-gif.sh --record` runs, its
//! keys read from the script itself), byte for byte, and the screen at the top of the
//! README is the last frame of the command its caption gives. A change to what a scenario
//! shows changes them; these say to take them again.

use std::path::PathBuf;
use threadlanes::cli::{Cli, Command as Sub};
use threadlanes::record;

/// A directory of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// `name` keeps two tests running at once out of each other's way.
    fn new(name: &str) -> Scratch {
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("threadlanes-{name}-{pid}"));
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

/// `threadlanes record ARGS... -o FILE` run in-process, as main runs it: the file it wrote.
fn record_to(args: &[&str], scratch: &Scratch) -> Vec<u8> {
    use clap::Parser;
    let out = scratch.0.join("out.cast");
    let out_s = out.to_str().expect("a UTF-8 path");
    let all = ["threadlanes", "record"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["-o", out_s]);
    let cli = Cli::try_parse_from(all).expect("the documented command parses");
    let Some(Sub::Record(a)) = cli.command else {
        panic!("not a record command");
    };
    record::record_cmd(&a).expect("records");
    std::fs::read(&out).expect("the recording")
}

#[test]
fn the_demo_cast_is_what_its_command_writes() {
    let keys = script_keys();
    let scratch = Scratch::new("demo-cast");
    let args = ["race", "--seed", "7", "--size", "100x30", "--keys", &keys];
    let made = record_to(&args, &scratch);
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

/// The README's first screen is the last frame its caption's command draws, row for row
/// (trailing spaces aside).
#[test]
fn the_readme_screen_is_what_the_program_draws() {
    let readme = std::fs::read_to_string("README.md").expect("the README");
    let start = readme
        .find("```text\n threadlanes")
        .expect("the README's screen")
        + 8;
    let len = readme[start..].find("```").expect("its end");
    let shown: Vec<&str> = readme[start..start + len].lines().collect();
    let keys = "4.6s:space 4.7s:c";
    let caption = format!(
        "threadlanes record producer-consumer --seed 7 --size 100x30 --for 5 --keys \"{keys}\""
    );
    assert!(readme.contains(&caption), "the caption names the command");
    let scratch = Scratch::new("readme-screen");
    let args = [
        "producer-consumer",
        "--seed",
        "7",
        "--size",
        "100x30",
        "--for",
        "5",
        "--keys",
        keys,
    ];
    let cast = String::from_utf8(record_to(&args, &scratch)).expect("UTF-8");
    let mut parser = vt100::Parser::new(30, 100, 0);
    for line in cast.lines().skip(1) {
        let ev: serde_json::Value = serde_json::from_str(line).expect("a cast event");
        parser.process(ev[2].as_str().expect("output").as_bytes());
    }
    let drawn: Vec<String> = parser
        .screen()
        .rows(0, 100)
        .map(|r| r.trim_end().to_string())
        .collect();
    let drawn: Vec<&str> = drawn.iter().map(String::as_str).collect();
    assert_eq!(
        shown, drawn,
        "the README's screen is not what the program draws now: take it again"
    );
}
