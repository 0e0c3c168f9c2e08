//! The explanation panel: the outcome once the scenario measured it (as expected or wrong),
//! the variant and parameters of this run, and the scenario's explanation, wrapped.

use super::{Screen, layout, panel};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let info = screen.info;
    let inner = layout::inner(area);
    // The title sits in the top border between the corners: cut with an ellipsis, not mid-word.
    let room = usize::from(area.width).saturating_sub(3);
    let title = super::text::fit(info.title, room, g.ellipsis);
    frame.render_widget(panel(format!(" {title} "), theme), area);

    let mut lines: Vec<Line> = Vec::new();
    if let Some((text, ok)) = &screen.world.outcome {
        let (mark, word) = if *ok {
            (g.ok, "as expected")
        } else {
            (g.wrong, "WRONG")
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {word}: "), theme.outcome(*ok)),
            Span::styled(theme.words(text).into_owned(), theme.outcome(*ok)),
        ]));
    }
    let variant = info
        .variants
        .iter()
        .find(|v| v.name == screen.config.variant);
    let mut facts = Vec::new();
    if let Some(v) = variant
        && info.variants.len() > 1
    {
        facts.push(v.label.to_string());
    }
    for (name, value) in screen.config.shown_params(info) {
        facts.push(format!("{name}={value}"));
    }
    if !facts.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("this run: ", theme.dim()),
            Span::styled(facts.join(g.sep), theme.name()),
        ]));
    }
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    for para in info.explain_for(screen.config.variant).lines() {
        lines.push(Line::styled(theme.words(para).into_owned(), theme.text()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
