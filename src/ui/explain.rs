//! The explanation panel: the outcome once the scenario measured it (as expected or wrong),
//! the variant and parameters of this run, and the scenario's explanation, wrapped; where it
//! does not all fit, the facts and the blank lines give their rows to the words, and what
//! still does not fit is paged: the bottom border says which page and what `e` does
//! (`1/2 · e more`; on the last page `2/2 · e first`, for `e` turns back to the first).

use super::{Screen, layout, panel, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let info = screen.info;
    let inner = layout::inner(area);
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
    let explain: Vec<String> = info
        .explain_for(screen.config.variant)
        .lines()
        .map(|p| theme.words(p).into_owned())
        .collect();
    // Where the whole does not fit (80×24), the explanation keeps its rows: the run's facts
    // are on the status line and in the footer already, and blank lines between
    // paragraphs are the first thing a short panel can spare.
    let width = inner.width as usize;
    let rows = |paras: &mut dyn Iterator<Item = &str>| -> usize {
        paras.map(|p| text::wrap_words(p, width).len()).sum()
    };
    let outcome_rows = screen.world.outcome.as_ref().map_or(0, |(t, _)| {
        text::wrap_words(&format!("{} as expected: {t}", g.ok), width).len()
    });
    let fits = outcome_rows
        + usize::from(!facts.is_empty()) * rows(&mut std::iter::once(facts.join(g.sep).as_str()))
        + 1
        + rows(&mut explain.iter().map(String::as_str))
        <= inner.height as usize;
    if fits {
        if !facts.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("this run: ", theme.dim()),
                Span::styled(facts.join(g.sep), theme.name()),
            ]));
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
    }
    for para in explain {
        if para.is_empty() && !fits {
            continue;
        }
        lines.push(Line::styled(para, theme.text()));
    }
    let (page, pages) = page_of(&lines, inner, screen.view.explain_page);
    // The title sits in the top border between the corners, cut at a word if it must be;
    // a paged explanation says which page and the key that turns it in the bottom border,
    // so the title keeps its room.
    let room = usize::from(area.width).saturating_sub(3);
    let title = text::fit_words(info.title, room, g.ellipsis);
    // A space after it where there is room for one.
    let after = if text::width(&title) < room { " " } else { "" };
    let block = paged(
        panel(format!(" {title}{after}"), theme),
        (page, pages),
        theme,
    );
    frame.render_widget(block, area);
    render_page(frame, lines, inner, page);
}

/// Which page of `lines` (wrapped to `inner`'s width, in pages of its height) the `wanted`
/// page number shows (it wraps round), and how many there are.
pub(super) fn page_of(lines: &[Line], inner: Rect, wanted: usize) -> (usize, usize) {
    let (width, height) = (usize::from(inner.width), usize::from(inner.height).max(1));
    let total: usize = lines
        .iter()
        .map(|l| {
            let s: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            text::wrap_words(&s, width).len().max(1)
        })
        .sum();
    let pages = total.div_ceil(height).max(1);
    (wanted % pages, pages)
}

/// `block` saying in its bottom border which page shows and what `e` does there
/// (`1/2 · e more`; on the last page `2/2 · e first`), where there is more than one.
pub(super) fn paged<'a>(
    block: ratatui::widgets::Block<'a>,
    (page, pages): (usize, usize),
    theme: &super::Theme,
) -> ratatui::widgets::Block<'a> {
    if pages <= 1 {
        return block;
    }
    let turn = if page + 1 == pages {
        "e first"
    } else {
        "e more"
    };
    let pager = format!(" {}/{pages} {} {turn} ", page + 1, theme.glyphs.sep.trim());
    block.title_bottom(Line::styled(pager, theme.dim()).right_aligned())
}

/// Page `page` of `lines`, wrapped, in `inner`.
pub(super) fn render_page(frame: &mut Frame, lines: Vec<Line>, inner: Rect, page: usize) {
    let skip = u16::try_from(page * usize::from(inner.height)).unwrap_or(u16::MAX);
    let text = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .scroll((skip, 0));
    frame.render_widget(text, inner);
}
