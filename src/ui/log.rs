//! The log panel: the newest events, newest last, in the words of `describe::log_line`.
//! What the scenario prints (`say`) stands out, so its story reads down the panel.

use super::{Theme, layout, panel, text};
use crate::event::Op;
use crate::model::World;
use crate::model::describe;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, world: &World, theme: &Theme) {
    let g = &theme.glyphs;
    let inner = layout::inner(area);
    let rows = inner.height as usize;
    let mut block = panel(" Log ", theme);
    if !world.problems.is_empty() {
        let n = world.problems.len();
        let s = if n == 1 { "" } else { "s" };
        block = block.title_top(
            Line::styled(format!(" {n} problem{s} in the stream "), theme.problem())
                .right_aligned(),
        );
    }
    // A cycle in the order locks were taken: this run may have been lucky (g says more).
    if world.deadlock.is_none()
        && let Some(words) = describe::possible_deadlocks(world).first()
    {
        let room = (inner.width as usize).saturating_sub(2);
        let warning = format!("possible deadlock: {words}");
        let s = text::fit(&theme.words(&warning), room, g.ellipsis);
        block = block.title_bottom(Line::styled(format!(" {s} "), theme.deadlock()));
    }
    frame.render_widget(block, area);

    let gutter = text::width(g.say) + 1;
    let width = (inner.width as usize).saturating_sub(gutter);
    let skip = world.log.len().saturating_sub(rows);
    // The log holds the newest events the causes saw, so entry i is event `first + i`.
    let first = world.causes.seen().saturating_sub(world.log.len() as u64);
    let lines: Vec<Line> = world
        .log
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, ev)| {
            let line = describe::log_line_at(world, ev, first + i as u64);
            let s = text::fit(&theme.words(&line), width, g.ellipsis);
            if matches!(ev.op, Op::Say { .. }) {
                Line::from(vec![
                    Span::styled(format!("{} ", g.say), theme.say()),
                    Span::styled(s, theme.say()),
                ])
            } else {
                Line::from(vec![
                    Span::raw(" ".repeat(gutter)),
                    Span::styled(s, theme.text()),
                ])
            }
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" nothing yet", theme.dim())),
            inner,
        );
    } else {
        super::put::lines(frame, inner, lines, Style::default());
    }
}
