//! The status line at the top: what runs, whether it moves, how fast, when, who is alive.

use super::{Screen, text};
use crate::model::describe::secs;
use crate::runner::Mode;
use crate::view::RunState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The pieces of the status line with their levels (0: kept), in the order shown; the line
/// drops the least important one (highest level, the last of equals) until it fits.
fn pieces(screen: &Screen) -> Vec<(u8, String)> {
    let g = &screen.theme.glyphs;
    let s = screen.status;
    let w = screen.world;
    let run = match s.run {
        // Nobody can move again: it does not run, whatever the clock does.
        RunState::Running if w.stuck() => {
            format!("{} deadlocked", g.finished)
        }
        RunState::Running => format!("{} running", g.running),
        RunState::Paused => format!("{} paused", g.paused),
        // A run that ended with workers still alive (a recording's deadlock, a cut) did
        // not finish: it stopped.
        RunState::Finished if w.alive() > 0 => format!("{} stopped", g.finished),
        RunState::Finished => format!("{} finished", g.finished),
    };
    // Scrubbing, the cursor's moment is the news: it takes the place of the run's state
    // and time (its words carry their own), and the mode gives way to it when room is short.
    let run = match &s.scrub {
        Some(at) => format!("⏪ {at}"),
        None => run,
    };
    let (sched_level, sched) = match s.mode {
        Mode::Free => (6, "free".to_string()),
        Mode::Step if s.scrub.is_some() => (1, "STEP MODE".to_string()),
        Mode::Step => (0, "STEP MODE".to_string()),
        Mode::Seeded => (3, format!("seed {}", s.seed)),
    };
    let variant = screen.variant_label();
    let has_variants = !screen.info.variants.is_empty();
    // Priority: 0 is always kept.
    let mut v = vec![
        (0, format!("threadlanes{}{}", g.sep, screen.info.name)),
        (5, format!("{}{}", g.dash, screen.info.title)),
    ];
    // The version on screen is the lesson's half: it stays longer than the speed, unless
    // the speed is not the usual ×1 (then the user chose it, and it says why things crawl).
    if has_variants {
        v.push((2, variant.to_string()));
    }
    v.push((0, run));
    let speed_level = if s.speed == 1.0 { 4 } else { 2 };
    v.push((speed_level, format!("{}{:.1}", g.times, s.speed)));
    if s.dropped > 0 {
        // Kept before the clock (the last of equals goes first): what is on screen is not
        // all that happened.
        v.push((
            1,
            format!("{} events not shown (viewer behind)", count(s.dropped)),
        ));
    }
    if s.scrub.is_none() {
        v.push((1, format!("t={}", secs(w.t))));
    }
    v.push((1, format!("{}/{} alive", w.alive(), w.workers.len())));
    v.push((sched_level, sched));
    v
}

/// A count in at most five cells: 950, 12.3k, 4.5M.
fn count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let width = area.width as usize;
    let mut flash = theme.words(screen.status.flash.as_deref().unwrap_or(""));
    let mut flash_w = if flash.is_empty() {
        0
    } else {
        text::width(&flash) + 3
    };
    let parts = pieces(screen);
    let build = |parts: &[(u8, String)]| {
        let mut s = String::from(" ");
        for (i, (_, p)) in parts.iter().enumerate() {
            // The title follows the name with its own dash, not a separator.
            if i > 0 && !p.starts_with(g.dash) {
                s.push_str(g.sep);
            }
            s.push_str(p);
        }
        s
    };
    // Scrubbing, the moment on screen is the news: a flash that does not fit beside what
    // is always kept waits (the program's end, said until q, is said again at the live end).
    let kept: Vec<(u8, String)> = parts.iter().filter(|p| p.0 == 0).cloned().collect();
    if screen.status.scrub.is_some() && text::width(&build(&kept)) + flash_w > width {
        flash = "".into();
        flash_w = 0;
    }
    // One piece at a time, the least important first (the last of equals), until it fits;
    // then each piece dropped, the most important first, back if it fits after all (a long
    // one dropped may have left room for a short one dropped before it).
    let fits = |parts: &[(u8, String)]| text::width(&build(parts)) + flash_w <= width;
    let mut shown = vec![true; parts.len()];
    let pick = |shown: &[bool]| -> Vec<(u8, String)> {
        parts
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(p, _)| p.clone())
            .collect()
    };
    let mut dropped = Vec::new();
    while !fits(&pick(&shown)) {
        let least = (0..parts.len())
            .filter(|&i| shown[i] && parts[i].0 > 0)
            .max_by_key(|&i| (parts[i].0, i));
        let Some(i) = least else { break };
        shown[i] = false;
        dropped.push(i);
    }
    for &i in dropped.iter().rev() {
        shown[i] = true;
        if !fits(&pick(&shown)) {
            shown[i] = false;
        }
    }
    let mut parts = pick(&shown);
    let mut line = build(&parts);
    // A flash is said for a reason (why a step was refused): while it shows it may take
    // all but the name.
    if flash_w > 0 && text::width(&line) + flash_w > width {
        parts.truncate(1);
        line = build(&parts);
    }
    let mut spans = vec![Span::styled(
        text::fit(&line, width, g.ellipsis),
        theme.status_bar(),
    )];
    if !flash.is_empty() {
        spans.push(Span::styled("   ", theme.status_bar()));
        spans.push(Span::styled(flash.into_owned(), theme.flash()));
    }
    super::put::lines(frame, area, vec![Line::from(spans)], theme.status_bar());
}
