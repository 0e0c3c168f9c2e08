//! UI layer: drawing one full 200×60 run screen from a world of 1,000 workers and 200
//! objects into ratatui's `TestBackend`, with colour (the costlier theme); and a run of
//! 10,000 asyncio-like tasks on one thread, at 200×60 and 80×24, the selected lane in the
//! middle of them.
//!
//! `cargo bench --bench ui`

mod common;

use common::tasks::task_world;
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
    frame_at(terminal, world, theme, 0);
}

/// Draws one frame of `world` with lane `selected` selected.
fn frame_at(terminal: &mut Terminal<TestBackend>, world: &World, theme: Theme, selected: usize) {
    let info = &scenarios::all()[0].info;
    let config = Config::default_for(info);
    let status = status();
    let view = View {
        selected,
        ..View::default()
    };
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

/// Tasks: tasks on one thread, half of them ended, the rest awaiting a sleep or the lock.
const TASKS: u32 = 10_000;

fn bench_tasks_frame(b: Bencher, w: u16, h: u16) {
    let world = task_world(TASKS, 50);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    let mid = TASKS as usize / 2;
    b.bench_local(|| frame_at(&mut terminal, &world, Theme::new(true, true), mid));
}

/// 10,000 tasks at the budget's size.
#[divan::bench]
fn frame_200x60_10k_tasks(b: Bencher) {
    bench_tasks_frame(b, 200, 60);
}

/// 10,000 tasks at the smallest size the TUI is made for.
#[divan::bench]
fn frame_80x24_10k_tasks(b: Bencher) {
    bench_tasks_frame(b, 80, 24);
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
