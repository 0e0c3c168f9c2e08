//! The terminal around the App: raw mode in and out, signals, the panic hook, the frame
//! loop (keys → `keys::action_for` → `App::update`, events pumped, a frame when something
//! changed), suspend (Ctrl-Z, SIGTSTP) and Ctrl-R, which writes the screen to a `.cast` file
//! as it is drawn (it needs the terminal's size and its drawn buffer, so it lives here and
//! not in `update`).
//!
//! The loop waits only on `Inputs` (keys, resizes and signals, read on their own threads),
//! so nothing outside can trap it. Whatever way it ends (q, a signal, the terminal hanging
//! up, an error), the run is stopped the same way, and the terminal is restored if it is
//! still there; a panic restores it from the panic hook.

use super::App;
use super::input::{Input, Inputs, terminal_gone};
use super::suspend::{retake, suspend};
use crate::cast::live::LiveCast;
use crate::keys::{self, Action};
use crossterm::event::{Event as TermEvent, KeyEventKind};
use ratatui::DefaultTerminal;
use std::time::{Duration, Instant};

/// Frames per second while the run moves.
const FPS: u64 = 30;

/// Runs the TUI until the user quits; the terminal is restored on every way out.
pub fn main(plan: Option<crate::cli::Plan>) -> anyhow::Result<()> {
    run(App::new(plan)).map(|_| ())
}

/// Sets the terminal up, runs `app` in it until the user quits, a signal comes or the
/// terminal hangs up, stops the run and restores the terminal; returns the app for what it
/// knows at the end (its source, ended: see [`App::into_source`]).
pub fn run(mut app: App) -> anyhow::Result<App> {
    // Signals first: SIGTERM, SIGHUP and SIGINT end the loop as q does.
    let inputs = Inputs::listen()?;
    let mut terminal = ratatui::try_init()?;
    install_panic_hook();
    let result = inputs
        .read_terminal()
        .map_err(anyhow::Error::from)
        .and_then(|_| run_loop(&mut terminal, &mut app, &inputs));
    app.stop_run();
    drop(inputs);
    restore(terminal);
    result.map(|_| app)
}

/// Gives the terminal back as it was found; a terminal that has hung up is left alone
/// (there is nothing to restore, and an error about it would go nowhere useful).
fn restore(terminal: DefaultTerminal) {
    if terminal_gone() {
        // Dropping it would try to show the cursor on the gone terminal and complain.
        std::mem::forget(terminal);
        return;
    }
    ratatui::restore();
}

/// The last resort's restore (src/main.rs): the terminal put back if it is still there,
/// without a word either way.
pub fn restore_quietly() {
    if !terminal_gone() {
        let _ = ratatui::try_restore();
        let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    }
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

/// Draws, waits for input until the next frame is due and handles it, until something ends
/// the loop. The caller stops the run.
fn run_loop(terminal: &mut DefaultTerminal, app: &mut App, inputs: &Inputs) -> anyhow::Result<()> {
    let frame_time = Duration::from_millis(1000 / FPS);
    let mut next_frame = Instant::now();
    // Ctrl-R: the screen written to a .cast file as it is drawn.
    let mut rec: Option<LiveCast> = None;
    loop {
        let changed = app.pump();
        if changed || app.moving() {
            match terminal.draw(|f| app.draw(f)) {
                Ok(frame) => {
                    if let Some(r) = &mut rec
                        && let Err(e) = r.frame(frame.buffer)
                    {
                        rec = None;
                        app.flash(format!("recording stopped: {e}"));
                    }
                }
                Err(e) => {
                    hung_up(Err(e))?;
                    return stop_recording(rec);
                }
            }
            app.dirty = false;
        }
        next_frame += frame_time;
        let now = Instant::now();
        if next_frame < now {
            next_frame = now;
        }
        // Wait for input until the next frame is due; handle everything that has come.
        let mut timeout = next_frame.saturating_duration_since(Instant::now());
        while let Some(input) = inputs.next(timeout) {
            let ends = match input {
                Input::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => {
                    match keys::action_for(&k, app.in_picker()) {
                        Some(Action::Record) => {
                            let size = terminal.size()?;
                            toggle_recording(app, &mut rec, size.width, size.height);
                            false
                        }
                        Some(Action::Suspend) => hung_up(suspend(terminal, app))?,
                        Some(a) => {
                            app.update(a);
                            false
                        }
                        None => false,
                    }
                }
                Input::Term(TermEvent::Resize(..)) => {
                    app.dirty = true;
                    false
                }
                Input::Term(_) => false,
                Input::Suspend => hung_up(suspend(terminal, app))?,
                Input::Continued => hung_up(retake(terminal))?,
                Input::Quit | Input::HungUp => true,
            };
            if ends || app.quit {
                return stop_recording(rec);
            }
            timeout = Duration::ZERO;
        }
    }
}

/// Whether what the terminal just did failed because it hung up (its reader may not have
/// said so yet): that ends the loop as a hang-up does. Any other failure is an error.
fn hung_up(done: std::io::Result<()>) -> anyhow::Result<bool> {
    match done {
        Ok(()) => Ok(false),
        Err(_) if terminal_gone() => Ok(true),
        Err(e) => Err(e.into()),
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
