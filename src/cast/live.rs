//! Ctrl-R in the TUI: the live screen written to a `.cast` file as it is drawn, frame by
//! frame, with the real time each frame came (this is a recording of a session, not a
//! reproducible one: for that, `threadlanes record --seed`). Each frame is appended and
//! flushed at once, so the file is a valid cast even if the program is killed.

use super::Cast;
use ratatui::buffer::Buffer;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct LiveCast {
    cast: Cast,
    file: File,
    path: PathBuf,
    started: Instant,
}

impl LiveCast {
    /// Starts a cast of a `width`×`height` screen in a new file in the current directory,
    /// named after the scenario (`threadlanes-race-1.cast`, `-2`, ... never overwriting).
    pub fn start(scenario: &str, width: u16, height: u16) -> std::io::Result<LiveCast> {
        let path = (1..)
            .map(|n| PathBuf::from(format!("threadlanes-{scenario}-{n}.cast")))
            .find(|p| !p.exists())
            .expect("some free name");
        let file = File::options().write(true).create_new(true).open(&path)?;
        let title = format!("threadlanes · {scenario} (live)");
        let mut live = LiveCast {
            cast: Cast::new(width, height, &title, "threadlanes"),
            file,
            path,
            started: Instant::now(),
        };
        live.flush()?;
        Ok(live)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds the frame just drawn.
    pub fn frame(&mut self, buf: &Buffer) -> std::io::Result<()> {
        let ms = self.started.elapsed().as_millis() as u64;
        if self.cast.frame(ms, buf) {
            self.flush()?;
        }
        Ok(())
    }

    /// Ends the cast (the cursor shown again) and closes the file.
    pub fn stop(mut self) -> std::io::Result<PathBuf> {
        let ms = self.started.elapsed().as_millis() as u64;
        let rest = self.cast.finish(ms);
        self.file.write_all(rest.as_bytes())?;
        self.file.flush()?;
        Ok(self.path)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let text = self.cast.drain();
        self.file.write_all(text.as_bytes())?;
        self.file.flush()
    }
}
