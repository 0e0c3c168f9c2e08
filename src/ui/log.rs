//! The log panel: the newest events, newest last, in the words of `describe::log_line`.
//! What the scenario prints (`say`) stands out, so its story reads down the panel. A line
//! too long for the panel wraps under its words (a few rows at most).

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
        let mut warning = format!("possible deadlock: {words}");
        // Narrow: the brief orders ("left A→B; right B→A") rather than a cut one.
        if text::width(&theme.words(&warning)) > room
            && let Some(brief) = describe::possible_deadlocks_brief(world).first()
        {
            warning = format!("possible deadlock: {brief}");
        }
        let s = text::fit(&theme.words(&warning), room, g.ellipsis);
        block = block.title_bottom(Line::styled(format!(" {s} "), theme.deadlock()));
    }
    frame.render_widget(block, area);

    let gutter = text::width(g.say) + 1;
    let width = (inner.width as usize).saturating_sub(gutter);
    // The log holds the newest events the causes saw, so entry i is event `first + i`.
    let first = world.causes.seen().saturating_sub(world.log.len() as u64);
    // Newest first until the panel is full: a long line wraps under its own words rather
    // than losing its point to an ellipsis.
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    let indent = describe::log_words_start(world);
    // The event after the one at hand (going back): a put's begin that its end follows at
    // once has no line of its own.
    let mut next: Option<&crate::event::Event> = None;
    for (i, ev) in world.log.iter().enumerate().rev() {
        if lines.len() >= rows {
            break;
        }
        let later = next.replace(ev);
        let n = first + i as u64;
        if later
            .is_some_and(|l| describe::said_by_next(ev, l, world.causes.by_event(n + 1).is_some()))
        {
            continue;
        }
        let line = describe::log_line_at(world, ev, n);
        let say = matches!(ev.op, Op::Say { .. });
        let style = if say { theme.say() } else { theme.text() };
        // The oldest shown may have fewer rows left than it wraps to: its head, cut.
        let room = (rows - lines.len()).min(MAX_ROWS);
        let rows_of = wrap(&theme.words(&line), width, room, g.ellipsis, indent);
        for (k, row) in rows_of.into_iter().enumerate().rev() {
            let lead = if say && k == 0 {
                Span::styled(format!("{} ", g.say), theme.say())
            } else {
                Span::raw(" ".repeat(gutter))
            };
            lines.push(Line::from(vec![lead, Span::styled(row, style)]));
        }
    }
    lines.reverse();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" nothing yet", theme.dim())),
            inner,
        );
    } else {
        super::put::lines(frame, inner, lines, Style::default());
    }
}

/// Rows one log entry takes at most; its last is cut with an ellipsis.
const MAX_ROWS: usize = 3;

/// A log line in rows of `width`: the first as it starts, the others indented to where its
/// words begin (`words`: after the time and the name), at most `max` rows.
fn wrap(line: &str, width: usize, max: usize, ellipsis: &str, words: usize) -> Vec<String> {
    if text::width(line) <= width || max < 2 {
        return vec![text::fit(line, width, ellipsis)];
    }
    let indent = if words + 12 <= width && words < line.chars().count() {
        words
    } else {
        2
    };
    let (head, words) = line.split_at(line.char_indices().nth(indent).map_or(0, |(b, _)| b));
    let wrapped = text::wrap_words(words, width.saturating_sub(indent));
    let mut rows: Vec<String> = Vec::with_capacity(max);
    for (k, w) in wrapped.iter().enumerate() {
        if rows.len() == max {
            break;
        }
        let lead = if k == 0 {
            head.to_string()
        } else {
            " ".repeat(indent)
        };
        let rest = if k + 1 < wrapped.len() && rows.len() + 1 == max {
            // The last row room allows: what is left, cut.
            wrapped[k..].join(" ")
        } else {
            w.clone()
        };
        rows.push(text::fit(&format!("{lead}{rest}"), width, ellipsis));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn a_long_line_wraps_under_its_words() {
        let line = "   0.22s  t2    woke: t1 released lock; acquired lock";
        let rows = wrap(line, 40, 3, "…", 16);
        assert_eq!(
            rows,
            [
                "   0.22s  t2    woke: t1 released lock;",
                "                acquired lock",
            ]
        );
        assert_eq!(wrap("   0.22s  t2    short", 40, 3, "…", 16).len(), 1);
        let long = format!("   0.22s  t2    {}", "word ".repeat(30));
        let rows = wrap(&long, 40, 3, "…", 16);
        assert_eq!(rows.len(), 3);
        assert!(rows[2].ends_with('…'));
    }

    /// A traced process's main is named with its pid ("main 1330"): the space in the name
    /// does not move where the words wrap to.
    #[test]
    fn a_name_with_a_space_keeps_the_words_column() {
        let line = "   0.16s  main 1330   woke: consumer-1 finished the tasks of jobs";
        let rows = wrap(line, 44, 3, "…", 22);
        assert_eq!(
            rows,
            [
                "   0.16s  main 1330   woke: consumer-1",
                "                      finished the tasks of",
                "                      jobs",
            ]
        );
    }
}
