//! The wait-for graph view (key `g`): who waits for what, held by whom, as text art, live.
//! A cycle is drawn as a ring and its rows marked the moment it forms; the verdict names the
//! workers stuck for good and the ones still going (a partial deadlock). Drawn in place of
//! the log, so the lanes and objects stay in sight.

use super::{Theme, layout, panel, text};
use crate::event::WorkerId;
use crate::model::graph::{self, Edge, Graph};
use crate::model::{Wait, World, describe};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// "lock B", "room in queue products", "the end of t1".
fn target(world: &World, wait: Wait) -> String {
    let name = |o| describe::object(world, o);
    match wait {
        Wait::Acquire(o) | Wait::Signal(o) => name(o),
        Wait::AcquireShared(o) => format!("{} to read", name(o)),
        Wait::Put(o) if describe::is_rendezvous(world, o) => format!("a receiver on {}", name(o)),
        Wait::Put(o) => format!("room in {}", name(o)),
        Wait::Get(o) => format!("an item of {}", name(o)),
        Wait::Recv(o) => format!("a message on {}", name(o)),
        Wait::QueueJoin(o) => format!("all tasks of {}", name(o)),
        Wait::Join(t) => format!("the end of {}", world.worker_name(t)),
    }
}

fn names(world: &World, ws: &[WorkerId]) -> String {
    ws.iter()
        .map(|w| world.worker_name(*w))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row: "left ──▶ lock B ──▶ right   ⟲".
fn edge_line(world: &World, e: &Edge, name_w: usize, theme: &Theme) -> Line<'static> {
    let g = &theme.glyphs;
    let who = if e.cycle || e.stuck {
        theme.deadlock_mark()
    } else {
        theme.name()
    };
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(
            text::pad(world.worker_name(e.waiter), name_w, g.ellipsis),
            who,
        ),
        Span::styled(format!(" {} ", g.arrow), theme.dim()),
        Span::styled(target(world, e.wait), theme.phase(e.wait.phase())),
    ];
    let holders: Vec<WorkerId> = match e.wait {
        Wait::Join(_) => Vec::new(), // the target is already named
        _ => e.holders.clone(),
    };
    if !holders.is_empty() {
        spans.push(Span::styled(format!(" {} ", g.arrow), theme.dim()));
        spans.push(Span::styled(names(world, &holders), theme.name()));
    }
    if e.cycle {
        spans.push(Span::styled(
            format!("  {} cycle", g.cycle),
            theme.deadlock_mark(),
        ));
    } else if e.stuck {
        spans.push(Span::styled("  stuck", theme.deadlock_mark()));
    }
    Line::from(spans)
}

/// The cycle as a ring: "⟲ left ──▶ B ──▶ right ──▶ A ──▶ left".
fn ring(world: &World, g: &Graph, theme: &Theme) -> Option<Line<'static>> {
    // From the worker declared first, so it reads the way the scenario does.
    let at = world
        .workers
        .iter()
        .find_map(|w| g.cycle.iter().position(|c| *c == w.id))
        .unwrap_or(0);
    let order: Vec<WorkerId> = g.cycle[at..]
        .iter()
        .chain(&g.cycle[..at])
        .copied()
        .collect();
    let first = *order.first()?;
    let gl = &theme.glyphs;
    let mut spans = vec![Span::styled(
        format!(" {} ", gl.cycle),
        theme.deadlock_mark(),
    )];
    for w in &order {
        spans.push(Span::styled(
            world.worker_name(*w).to_string(),
            theme.deadlock_mark(),
        ));
        let via = g
            .edges
            .iter()
            .find(|e| e.waiter == *w)
            .and_then(|e| match e.wait {
                Wait::Join(_) => None,
                other => other.object().map(|o| world.object_name(o).to_string()),
            });
        spans.push(Span::styled(format!(" {} ", gl.arrow), theme.dim()));
        if let Some(o) = via {
            spans.push(Span::styled(o, theme.phase(crate::model::Phase::Blocked)));
            spans.push(Span::styled(format!(" {} ", gl.arrow), theme.dim()));
        }
    }
    spans.push(Span::styled(
        world.worker_name(first).to_string(),
        theme.deadlock_mark(),
    ));
    Some(Line::from(spans))
}

pub fn render(frame: &mut Frame, area: Rect, world: &World, theme: &Theme) {
    let inner = layout::inner(area);
    let g = graph::graph(world);
    let verdict = graph::verdict(world, &g);
    let block = panel(" Wait-for graph ", theme).title_bottom(
        Line::styled(" who waits for what, held by whom · g closes ", theme.dim()).right_aligned(),
    );
    frame.render_widget(block, area);

    let width = inner.width as usize;
    let mut lines = Vec::new();
    let vstyle = if g.cycle.is_empty() {
        theme.dim()
    } else {
        theme.deadlock()
    };
    // The verdict names who is stuck and who still goes: wrapped, never cut.
    for part in text::wrap_words(&theme.words(&verdict), width.saturating_sub(2))
        .into_iter()
        .take(3)
    {
        lines.push(Line::styled(format!(" {part} "), vstyle));
    }
    lines.extend(ring(world, &g, theme));
    // Orders that can close a cycle in another run, while this one has none.
    if g.cycle.is_empty() {
        for words in describe::possible_deadlocks(world).iter().take(2) {
            let warning = format!("possible deadlock: {words}");
            for part in text::wrap_words(&theme.words(&warning), width.saturating_sub(2))
                .into_iter()
                .take(2)
            {
                lines.push(Line::styled(format!(" {part} "), theme.deadlock()));
            }
        }
    }
    lines.push(Line::raw(""));
    let name_w = g
        .edges
        .iter()
        .map(|e| text::width(world.worker_name(e.waiter)))
        .max()
        .unwrap_or(4)
        .min(14);
    // Cycle rows first, then the rest stuck, then the waits that can still end.
    let rank = |e: &Edge| (!e.cycle, !e.stuck);
    let mut edges: Vec<&Edge> = g.edges.iter().collect();
    edges.sort_by_key(|e| rank(e));
    let room = (inner.height as usize).saturating_sub(lines.len());
    let more = edges.len().saturating_sub(room);
    let shown = if more > 0 {
        room.saturating_sub(1)
    } else {
        room
    };
    for e in edges.iter().take(shown) {
        lines.push(edge_line(world, e, name_w, theme));
    }
    if more > 0 {
        lines.push(Line::styled(
            format!(
                " {} {} more waiting",
                theme.glyphs.more_down,
                edges.len() - shown
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
