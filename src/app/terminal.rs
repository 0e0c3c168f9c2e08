//! The terminal around the App: raw mode in and out, signals, the panic hook, the frame
//! loop (keys → `keys::action_for` → `App::update`, events pumped, a frame when something
//! changed), and Ctrl-R, which writes the screen to a `.cast` file as it is drawn (it needs
//! the terminal's size and its drawn buffer, so it lives here and not in `update`).
//!
//! Whatever way the loop ends (q, a signal, an error, a panic), the terminal is restored.

use super::App;
use crate::keys::{self, Action};
use crate::record::live::LiveCast;
use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::DefaultTerminal;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Frames per second while the run moves.
const FPS: u64 = 30;

/// Runs the TUI until the user quits; the terminal is restored on every way out.
pub fn main(plan: Option<crate::cli::Plan>) -> anyhow::Result<()> {
    run(App::new(plan)).map(|_| ())
}

/// Sets the terminal up, runs `app` in it until the user quits or a signal comes, and
/// restores the terminal; returns the app for what it knows at the end (its source, ended:
/// see [`App::into_source`]).
pub fn run(mut app: App) -> anyhow::Result<App> {
    // SIGTERM, SIGHUP and SIGINT end the loop like q does, so the terminal is restored.
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register(sig, signalled.clone())?;
    }
    let mut terminal = ratatui::try_init()?;
    install_panic_hook();
    let result = run_loop(&mut terminal, &mut app, &signalled);
    ratatui::restore();
    result.map(|_| app)
}

/// A worker's panic belongs in its lane, not on the screen; any other panic restores the
/// terminal first so its message is readable.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::probe::on_worker_thread() {
            return;
        }
        ratatui::restore();
        previous(info);
    }));
}

fn run_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    signalled: &AtomicBool,
) -> anyhow::Result<()> {
    let frame_time = Duration::from_millis(1000 / FPS);
    let mut next_frame = Instant::now();
    // Ctrl-R: the screen written to a .cast file as it is drawn.
    let mut rec: Option<LiveCast> = None;
    loop {
        if signalled.load(Ordering::SeqCst) {
            app.stop_run();
            return stop_recording(rec);
        }
        let changed = app.pump();
        if changed || app.moving() {
            let frame = terminal.draw(|f| app.draw(f))?;
            if let Some(r) = &mut rec
                && let Err(e) = r.frame(frame.buffer)
            {
                rec = None;
                app.flash(format!("recording stopped: {e}"));
            }
            app.dirty = false;
        }
        next_frame += frame_time;
        let now = Instant::now();
        if next_frame < now {
            next_frame = now;
        }
        // Wait for input until the next frame is due; handle every key that arrives.
        let mut timeout = next_frame.saturating_duration_since(Instant::now());
        while event::poll(timeout)? {
            match event::read()? {
                TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
                    match keys::action_for(&k, app.in_picker()) {
                        Some(Action::Record) => {
                            let size = terminal.size()?;
                            toggle_recording(app, &mut rec, size.width, size.height);
                        }
                        Some(a) => app.update(a),
                        None => {}
                    }
                }
                TermEvent::Resize(..) => app.dirty = true,
                _ => {}
            }
            if app.quit {
                app.stop_run();
                return stop_recording(rec);
            }
            timeout = Duration::ZERO;
        }
    }
}

/// Starts writing the screen to a new `.cast` file, or ends the one being written; the
/// status line names the file.
fn toggle_recording(app: &mut App, rec: &mut Option<LiveCast>, width: u16, height: u16) {
    let text = match rec.take() {
        Some(r) => match r.stop() {
            Ok(p) => format!("saved {}", p.display()),
            Err(e) => format!("recording failed: {e}"),
        },
        None => match LiveCast::start(app.info().name, width, height) {
            Ok(r) => {
                let t = format!("recording to {} (ctrl-r stops)", r.path().display());
                *rec = Some(r);
                t
            }
            Err(e) => format!("cannot record: {e}"),
        },
    };
    app.flash(text);
}

/// On quit, a recording in progress is closed properly.
fn stop_recording(rec: Option<LiveCast>) -> anyhow::Result<()> {
    if let Some(r) = rec {
        r.stop()?;
    }
    Ok(())
}
