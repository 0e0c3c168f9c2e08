//! UI layer: drawing one full 200×60 run screen from a world of 1,000 workers and 200
//! objects into ratatui's `TestBackend`, with colour (the costlier theme).
//!
//! `cargo bench --bench ui`

mod common;

use common::{OBJECTS, WORKERS, busy_world};
use divan::{Bencher, black_box};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use threadlanes::model::World;
use threadlanes::runner::Mode;
use threadlanes::scenarios::{self, Config};
use threadlanes::ui::{self, Screen, Theme};
use threadlanes::view::{Hint, RunState, Status, View};

fn world() -> World {
    busy_world(WORKERS, OBJECTS, 200_000)
}

fn hints() -> Vec<Hint> {
    ["space", "s", "+/-", "r", "n/p", "?", "q"]
        .iter()
        .map(|k| Hint {
            key: k,
            what: "something".into(),
        })
        .collect()
}

fn status() -> Status {
    Status {
        run: RunState::Running,
        speed: 1.0,
        seed: 1,
        mode: Mode::Free,
        scrub: None,
        flash: None,
        dropped: 0,
    }
}

/// Draws one frame of `world` into `terminal`.
fn frame(terminal: &mut Terminal<TestBackend>, world: &World, theme: Theme) {
    let info = &scenarios::all()[0].info;
    let config = Config::default_for(info);
    let status = status();
    let view = View::default();
    let hints = hints();
    let screen = Screen {
        world,
        info,
        config: &config,
        status: &status,
        view: &view,
        hints: &hints,
        all_keys: &hints,
        theme,
        next_ops: &[],
    };
    terminal
        .draw(|f| ui::draw(f, black_box(&screen)))
        .expect("draws");
}

/// The same world frame after frame: the timelines' settled cells come from their cache,
/// as in the app between two frames when nothing new has come.
fn bench_frame(b: Bencher, theme: Theme, w: u16, h: u16) {
    let world = world();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    b.bench_local(|| frame(&mut terminal, &world, theme));
}

/// The budget's frame: 200×60, colour, UTF-8.
#[divan::bench]
fn frame_200x60_colour(b: Bencher) {
    bench_frame(b, Theme::new(true, true), 200, 60);
}

/// The budget's frame from a world whose timelines have never been drawn (a clone, made
/// outside the timing): every cell computed, the first frame after a jump.
#[divan::bench(sample_size = 1)]
fn frame_200x60_colour_cold(b: Bencher) {
    let world = world();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a test terminal");
    b.with_inputs(|| world.clone())
        .bench_local_refs(|w| frame(&mut terminal, w, Theme::new(true, true)));
}

#[divan::bench]
fn frame_200x60_plain(b: Bencher) {
    bench_frame(b, Theme::plain(), 200, 60);
}

/// Launch to first frame, less the terminal set-up: `App::new` (scenario catalogue, theme)
/// and the first frame of the picker it opens on.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn launch_first_frame_80x24(b: Bencher) {
    b.bench_local(|| {
        let app = threadlanes::app::App::new(None);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
        terminal.draw(|f| app.draw(f)).expect("draws");
        black_box(&terminal);
    });
}

fn main() {
    divan::main();
}
