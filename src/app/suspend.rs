//! Suspend and continue, as full-screen programs do: Ctrl-Z (a key in raw mode) or SIGTSTP
//! gives the terminal back as it was found (cooked, main screen, cursor shown) and stops the
//! process; on continue the TUI takes the terminal again and draws everything anew. While
//! stopped, a run that can pause holds still (a scenario's clock freezes); a traced program
//! goes on.
//!
//! This file changes the terminal's modes and the run's pause; it reads no input.

use super::App;
use crate::view::RunState;
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::DefaultTerminal;
use std::io;

impl App {
    /// Pauses the run for a suspension if it runs and can pause; true if it did.
    fn hold(&mut self) -> bool {
        let hold = self.picker.is_none()
            && self.source().is_some()
            && self.status.run == RunState::Running
            && self.controls().pause;
        if hold {
            self.toggle_pause();
        }
        hold
    }

    /// Resumes a run [`App::hold`] paused, unless the viewer changed it meanwhile.
    fn release(&mut self, held: bool) {
        if held && self.status.run == RunState::Paused {
            self.toggle_pause();
        }
        self.dirty = true;
    }
}

/// Gives the terminal back, stops the process until it is continued (`fg`), then takes the
/// terminal again and has the next frame drawn whole.
pub(super) fn suspend(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    let held = app.hold();
    disable_raw_mode()?;
    execute!(terminal.backend_mut(), LeaveAlternateScreen)?;
    terminal.show_cursor()?;
    // SIGSTOP, not SIGTSTP: the kernel drops a SIGTSTP sent to a process group no shell
    // watches (an orphaned one), and ours has a handler for SIGTSTP that would only call
    // this again.
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    retake(terminal)?;
    app.release(held);
    Ok(())
}

/// After a stop we did not ask for (SIGSTOP from outside) or any SIGCONT: raw mode and the
/// alternate screen again, whatever a shell set meanwhile, and a whole frame next.
pub(super) fn retake(terminal: &mut DefaultTerminal) -> io::Result<()> {
    // Back to the modes found at the start, then raw from there: crossterm takes raw mode
    // as already on if it turned it on itself, even if a shell has turned it off since.
    disable_raw_mode()?;
    enable_raw_mode()?;
    execute!(
        terminal.backend_mut(),
        EnterAlternateScreen,
        Clear(ClearType::All)
    )?;
    // Both of ratatui's buffers emptied, so the next frame is written whole onto the cleared
    // screen. (Not `Terminal::clear`: it asks the terminal where its cursor is, and the
    // answer would go to the input thread, not to ratatui.)
    terminal.swap_buffers();
    Ok(())
}
