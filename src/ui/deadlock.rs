//! The deadlock banner: who waits for whom around the cycle the model found.

use super::{Theme, text};
use crate::event::WorkerId;
use crate::model::{Wait, World, waitfor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// One link of the cycle in words: "left waits for B held by right".
/// (A derived fact the model could own, next to `describe::state`.)
pub fn link(world: &World, w: WorkerId) -> String {
    let name = world.worker_name(w);
    let wait = world.worker(w).and_then(|wk| wk.blocked_on());
    let holder = waitfor::waits_for(world, w).map(|h| world.worker_name(h));
    match (wait, holder) {
        (Some(Wait::Join(t)), _) => format!("{name} joins {}", world.worker_name(t)),
        (Some(wait), Some(h)) => match wait.object() {
            Some(o) => format!("{name} waits for {} held by {h}", world.object_name(o)),
            None => format!("{name} waits for {h}"),
        },
        (Some(wait), None) => match wait.object() {
            Some(o) => format!("{name} waits for {}", world.object_name(o)),
            None => format!("{name} waits"),
        },
        (None, _) => format!("{name} no longer waits"),
    }
}

/// "DEADLOCK: left waits for B held by right; right waits for A held by left".
pub fn sentence(world: &World, cycle: &[WorkerId]) -> String {
    // Start from the worker declared first, so the sentence reads the way the scenario does.
    let start = world
        .workers
        .iter()
        .find_map(|w| cycle.iter().position(|c| *c == w.id))
        .unwrap_or(0);
    let links: Vec<String> = cycle[start..]
        .iter()
        .chain(&cycle[..start])
        .map(|w| link(world, *w))
        .collect();
    format!("DEADLOCK: {}", links.join("; "))
}

pub fn render_banner(frame: &mut Frame, area: Rect, world: &World, theme: &Theme) {
    let Some(cycle) = world.deadlock.as_deref() else {
        return;
    };
    let s = format!(" {}", theme.words(&sentence(world, cycle)));
    let s = text::pad(&s, area.width as usize, theme.glyphs.ellipsis);
    frame.render_widget(Paragraph::new(Line::styled(s, theme.deadlock())), area);
}
