//! The scenario picker: the list of scenarios (name, title, lesson) with the selected one
//! highlighted, its explanation beside the list, and the keys at the bottom.

use super::{Picker, footer, lanes, layout, panel, text};
use crate::view::Hint;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, picker: &Picker, hints: &[Hint]) {
    let theme = &picker.theme;
    let g = &theme.glyphs;
    let (top, rest) = layout::split_y(area, 1);
    let (body, foot) = layout::split_y(rest, rest.height.saturating_sub(1));

    let title = format!(" threadlanes{}choose a scenario", g.dash);
    frame.render_widget(
        Paragraph::new(Line::styled(
            text::pad(&title, top.width as usize, g.ellipsis),
            theme.status_bar(),
        )),
        top,
    );

    let right_w = (body.width as u32 * 45 / 100).clamp(34, 80) as u16;
    let (list_area, info_area) = layout::split_x(body, body.width.saturating_sub(right_w));
    let total = picker.scenarios.len();
    let selected = picker.selected.min(total.saturating_sub(1));
    let inner = layout::inner(list_area);
    let rows = inner.height as usize;
    let first = lanes::scroll_for(selected, selected.saturating_sub(rows / 2), rows, total);

    let mut block = panel(" Scenarios ", theme);
    if total > rows && rows > 0 {
        block = block.title_top(
            Line::styled(format!(" {}/{} ", selected + 1, total), theme.dim()).right_aligned(),
        );
    }
    frame.render_widget(block, list_area);

    let name_w = picker
        .scenarios
        .iter()
        .map(|s| text::width(s.name))
        .max()
        .unwrap_or(0);
    let width = inner.width as usize;
    let lines: Vec<Line> = picker
        .scenarios
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, s)| {
            let sel = i == selected;
            let mark = if sel { g.selected } else { " " };
            let head = format!("{mark} {} ", text::pad(s.name, name_w, g.ellipsis));
            let room = width.saturating_sub(text::width(&head));
            let title = text::fit_words(s.title, room, g.ellipsis);
            let room = room.saturating_sub(text::width(&title));
            let lesson = if room > 8 {
                text::fit_words(&format!("{}{}", g.dash, s.lesson), room, g.ellipsis)
            } else {
                String::new()
            };
            let line = Line::from(vec![
                Span::styled(head, theme.name()),
                Span::styled(title, theme.text()),
                Span::styled(lesson, theme.dim()),
            ]);
            if sel {
                line.patch_style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" no scenarios", theme.dim())),
            inner,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), inner);
    }

    if let Some(s) = picker.scenarios.get(selected) {
        let mut lines = vec![
            Line::styled(s.title, theme.heading()),
            Line::styled(s.lesson, theme.name()),
            Line::raw(""),
        ];
        for para in s.explain.lines() {
            lines.push(Line::styled(theme.words(para), theme.text()));
        }
        if s.variants.len() > 1 {
            lines.push(Line::raw(""));
            let labels: Vec<&str> = s.variants.iter().map(|v| v.label).collect();
            lines.push(Line::from(vec![
                Span::styled("versions: ", theme.dim()),
                Span::styled(labels.join(" / "), theme.text()),
            ]));
        }
        if !s.params.is_empty() {
            lines.push(Line::raw(""));
        }
        for p in s.params {
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", p.name), theme.dim()),
                Span::styled(
                    format!(
                        "{} ({}{}{}){}{}",
                        p.default, p.min, g.range, p.max, g.dash, p.help
                    ),
                    theme.text(),
                ),
            ]));
        }
        // What does not fit is paged, as the run screen's explanation is (`e`).
        let inner = layout::inner(info_area);
        let (page, pages) = super::explain::page_of(&lines, inner, picker.page);
        let block =
            super::explain::paged(panel(format!(" {} ", s.name), theme), (page, pages), theme);
        frame.render_widget(block, info_area);
        super::explain::render_page(frame, lines, inner, page);
    } else {
        frame.render_widget(panel(" ", theme), info_area);
    }

    footer::render(frame, foot, hints, theme);
}
