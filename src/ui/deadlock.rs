//! The deadlock banner: who waits for whom around the cycle the model found, and who still
//! goes beside it (the model keeps both; the banner only reads them).

use super::{Theme, text};
use crate::event::WorkerId;
use crate::model::{World, waitfor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// "DEADLOCK: left waits for B held by right; right waits for A held by left".
pub fn sentence(world: &World, cycle: &[WorkerId]) -> String {
    format!("DEADLOCK: {}", waitfor::describe_cycle(world, cycle))
}

pub fn render_banner(frame: &mut Frame, area: Rect, world: &World, theme: &Theme) {
    let Some(cycle) = world.deadlock.as_deref() else {
        return;
    };
    // A partial deadlock: say who still goes, so it does not read as the whole program.
    let free = &world.still_going;
    let going = if free.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = free.iter().map(|w| world.worker_name(*w)).collect();
        format!(" · still going: {}", names.join(", "))
    };
    let mut words = format!("{}{going}", sentence(world, cycle));
    // Narrow: who is stuck with whom in brief, rather than a cut that loses who still goes.
    if text::width(&theme.words(&words)) + 1 > area.width as usize {
        let brief = waitfor::describe_cycle_brief(world, cycle);
        words = format!("DEADLOCK: {brief}{going}");
    }
    let s = format!(" {}", theme.words(&words));
    let s = text::pad(&s, area.width as usize, theme.glyphs.ellipsis);
    frame.render_widget(Paragraph::new(Line::styled(s, theme.deadlock())), area);
}
