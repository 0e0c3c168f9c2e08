//! Side by side (key `b`): two versions of one scenario running at once, each in its own
//! half with its own lanes, objects and outcome, so the difference is seen, not remembered.
//! The status line and the footer are shared; with captions on, each half's outcome box
//! narrates its run until the outcome comes.

use super::{Screen, footer, lanes, layout, objects, panel, status, text};
use crate::model::{World, caption};
use crate::scenarios::info::Config;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One half: a world and the version it runs.
#[derive(Clone, Copy)]
pub struct Pane<'a> {
    pub world: &'a World,
    pub config: &'a Config,
}

/// Draws `left` (the app's own run) and `right` (its twin) side by side.
pub fn draw(frame: &mut Frame, left: &Screen, right: Pane) {
    let area = frame.area();
    if layout::too_small(area) {
        super::too_small(frame, area, &left.theme);
        return;
    }
    let (status_row, rest) = layout::split_y(area, 1);
    let (body, footer_row) = layout::split_y(rest, rest.height.saturating_sub(1));
    status::render(frame, status_row, left);
    let (a, b) = layout::split_x(body, body.width / 2);
    half(frame, a, left);
    let view = left.view.clone();
    let screen = Screen {
        world: right.world,
        config: right.config,
        next_ops: &[],
        view: &view,
        ..*left
    };
    half(frame, b, &screen);
    footer::render(frame, footer_row, left.hints, &left.theme);
    if left.view.help {
        super::help::render(frame, area, left.all_keys, &left.theme);
    }
}

/// Lanes over objects over the outcome, under the version's name.
fn half(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let label = screen.variant_label();
    let (title, rest) = layout::split_y(area, 1);
    let title_text = text::pad(&format!(" {label}"), title.width as usize, "");
    frame.render_widget(
        Paragraph::new(Line::styled(
            title_text,
            theme.heading().patch(theme.selected()),
        )),
        title,
    );
    // The outcome box as tall as its words need (at most three rows): a verdict whose
    // point comes late ("…: each job ran whole") is not cut at 80 columns.
    let (words, style) = outcome_words(screen);
    let inner_w = area.width.saturating_sub(2) as usize;
    let wrapped = text::wrap_words(&theme.words(&words), inner_w);
    let rows = wrapped.len().clamp(1, OUTCOME_ROWS) as u16;
    let (rest, outcome) = layout::split_y(rest, rest.height.saturating_sub(rows + 2));
    // The lanes first (they are the lesson: a lane cut off by a small share would leave
    // "1–1 of 4" above rows the others do not use), then the objects, each what it needs
    // while the panels below keep a few rows; the log (where the versions' prints differ)
    // takes the rest.
    const KEEP: u16 = 4;
    let part = |n: usize, area: Rect, below: u16| {
        let want = (n.min(u16::MAX as usize) as u16).saturating_add(2);
        want.clamp(KEEP, area.height.saturating_sub(below).max(KEEP))
            .min(area.height)
    };
    let lanes_h = part(screen.world.workers.len(), rest, 2 * KEEP);
    let (lanes_area, rest) = layout::split_y(rest, lanes_h);
    let width = area.width.saturating_sub(2) as usize;
    let wanted = objects::height_wanted(screen.world, width, theme, rest.height as usize);
    let (objects_area, log_area) = layout::split_y(rest, part(wanted, rest, KEEP + 1));
    lanes::render(frame, lanes_area, screen);
    objects::render(frame, objects_area, screen);
    super::log::render(frame, log_area, screen.world, theme);
    outcome_box(frame, outcome, wrapped, style, theme);
}

/// Rows the outcome box gives its words at most.
const OUTCOME_ROWS: usize = 3;

/// The outcome, the deadlock, or that it still runs, in words and their style.
fn outcome_words(screen: &Screen) -> (String, ratatui::style::Style) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let world = screen.world;
    if let Some(cycle) = &world.deadlock {
        (super::deadlock::sentence(world, cycle), theme.deadlock())
    } else if let Some((text, ok)) = &world.outcome {
        let mark = if *ok { g.ok } else { g.wrong };
        let word = if *ok { "as expected" } else { "WRONG" };
        (format!("{mark} {word}: {text}"), theme.outcome(*ok))
    } else if world.finished() {
        ("finished".to_string(), theme.dim())
    } else if let Some(c) = caption::caption(world).filter(|_| screen.view.captions) {
        // Captions on: each half narrates its own run until its outcome comes.
        (c, theme.text())
    } else {
        ("running…".to_string(), theme.dim())
    }
}

/// The outcome box: its words wrapped into the rows it has, the last cut if need be.
fn outcome_box(
    frame: &mut Frame,
    area: Rect,
    wrapped: Vec<String>,
    style: ratatui::style::Style,
    theme: &super::Theme,
) {
    frame.render_widget(panel(" Outcome ", theme), area);
    let inner = layout::inner(area);
    let rows = usize::from(inner.height).max(1);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    for (i, row) in wrapped.iter().enumerate().take(rows) {
        let row = if i + 1 == rows && wrapped.len() > rows {
            text::fit(&wrapped[i..].join(" "), width, theme.glyphs.ellipsis)
        } else {
            row.clone()
        };
        lines.push(Line::from(Span::styled(row, style)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
