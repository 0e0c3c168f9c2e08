//! Details of the selected lane (enter): kind, pid and parent, state, what it holds and what
//! it waits for, how many operations, and where its time went. Drawn in place of the objects
//! panel so the lanes stay in sight.

use super::theme::LEGEND;
use super::{Screen, Theme, layout, panel, text};
use crate::model::describe;
use crate::model::{Phase, Wait, Worker, World, cause, spark, waitfor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Lines the details want (without borders) when nothing wraps.
pub const HEIGHT: usize = 18;

/// Wake-ups listed in the details, newest first.
const WAKES: usize = 3;

/// Names of what a worker holds, a semaphore taken twice counted once: "A, pool ×2".
fn holds(world: &World, w: &Worker, theme: &Theme) -> String {
    let mut out: Vec<(u32, usize)> = Vec::new();
    for o in &w.holding {
        match out.iter_mut().find(|(x, _)| x == o) {
            Some((_, n)) => *n += 1,
            None => out.push((*o, 1)),
        }
    }
    if out.is_empty() {
        return "nothing".into();
    }
    out.iter()
        .map(|(o, n)| {
            let name = world.object_name(*o);
            if *n > 1 {
                format!("{name} {}{n}", theme.glyphs.times)
            } else {
                name.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a worker waits for, with the worker who has it when there is one.
fn waits(world: &World, w: &Worker) -> String {
    let Some(wait) = w.blocked_on() else {
        return "nothing".into();
    };
    let holder = waitfor::waits_for(world, w.id).map(|h| world.worker_name(h));
    match (wait, holder) {
        (Wait::Join(t), _) => format!("the end of {}", world.worker_name(t)),
        (other, h) => {
            let what = match other {
                Wait::Put(o) if describe::is_rendezvous(world, o) => "a receiver on ",
                Wait::Put(_) => "room in ",
                Wait::Get(_) => "an item from ",
                Wait::Recv(_) => "a message on ",
                Wait::QueueJoin(_) => "all tasks of ",
                _ => "",
            };
            let name = other
                .object()
                .map_or("?".to_string(), |o| describe::object(world, o));
            match h {
                Some(h) => format!("{what}{name}, held by {h}"),
                None => format!("{what}{name}"),
            }
        }
    }
}

/// What blocked the worker lately and who ended each block: "1.2s: job1 released A (waited
/// 0.4s)".
fn wakes(lines: &mut Vec<Line<'static>>, world: &World, w: &Worker, width: usize, theme: &Theme) {
    let mut any = false;
    for k in world.causes.of(w.id).take(WAKES) {
        let line = format!(
            "{}: {} (waited {})",
            describe::secs(k.t),
            cause::words(world, k),
            describe::duration(k.t.saturating_sub(k.since))
        );
        let label = if any { "" } else { "woken" };
        field(lines, label, &line, theme.text(), width, theme);
        any = true;
    }
    if !any {
        let words = describe::unwoken(world, w);
        field(lines, "woken", &words, theme.dim(), width, theme);
    }
}

/// "label   value", the value wrapped under itself rather than under the label.
fn field(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    value: &str,
    style: Style,
    width: usize,
    theme: &Theme,
) {
    const LABEL: usize = 8;
    let wrapped = text::wrap_words(&theme.words(value), width.saturating_sub(LABEL));
    for (i, part) in wrapped.into_iter().enumerate() {
        let head = if i == 0 { label } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("{head:<LABEL$}"), theme.dim()),
            Span::styled(part, style),
        ]));
    }
}

/// The lane's share of time, one bar per share it has (a lane that only waited shows
/// waiting 100%), after a blank line where the panel has a row for it. Where the bars do not
/// all fit under the fields, the shares go on one line of words.
fn shares(lines: &mut Vec<Line<'static>>, w: &Worker, now: u64, inner: Rect, theme: &Theme) {
    let g = &theme.glyphs;
    let time = spark::time_over(w, now);
    let span = time.span;
    let parts = time.parts();
    let share = |t: u64| {
        if span == 0 {
            0.0
        } else {
            t as f64 / span as f64
        }
    };
    let label = |p: Phase| match p {
        Phase::Parked => "parked at the gate",
        Phase::Killed => "killed",
        _ => LEGEND.iter().find(|(q, _)| *q == p).map_or("", |(_, l)| l),
    };
    let rows = usize::from(inner.height);
    let head = format!("time over {}:", describe::elapsed(span));
    if lines.len() + 2 + parts.len() <= rows {
        lines.push(Line::raw(""));
    }
    if lines.len() + 1 + parts.len() > rows {
        let words: Vec<String> = parts
            .iter()
            .map(|&(p, t)| format!("{} {}", label(p), percent(share(t))))
            .collect();
        let words = if words.is_empty() {
            "none yet".to_string()
        } else {
            words.join(g.sep)
        };
        let words = format!("over {}: {words}", describe::elapsed(span));
        field(
            lines,
            "time",
            &words,
            theme.text(),
            usize::from(inner.width),
            theme,
        );
        return;
    }
    lines.push(Line::styled(head, theme.dim()));
    let bar_w = usize::from(inner.width).saturating_sub(18).min(20);
    for (p, t) in parts {
        // "holding" counts running while holding (a lock or a slot); "running" the rest.
        let share = share(t);
        let filled = (share * bar_w as f64).round() as usize;
        lines.push(Line::from(vec![
            Span::styled(format!("{:<11}", label(p)), theme.dim()),
            Span::styled(g.phase(p).repeat(filled.min(bar_w)), theme.phase(p)),
            Span::raw(" ".repeat(bar_w.saturating_sub(filled))),
            Span::styled(format!(" {:>4}", percent(share)), theme.text()),
        ]));
    }
}

/// A share in whole percent; a share the lane has that rounds to nothing is "<1%", not 0%.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 0.5 {
        "<1%".to_string()
    } else {
        format!("{p:.0}%")
    }
}

pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let world = screen.world;
    let inner = layout::inner(area);
    let Some(w) = world.workers.get(
        screen
            .view
            .selected
            .min(world.workers.len().saturating_sub(1)),
    ) else {
        frame.render_widget(panel(" Details ", theme), area);
        frame.render_widget(
            Paragraph::new(Line::styled(" no lane selected", theme.dim())),
            inner,
        );
        return;
    };
    frame.render_widget(
        panel(
            Line::from(vec![
                Span::raw(" Details: "),
                Span::raw(w.name.clone()),
                Span::raw(" "),
            ]),
            theme,
        ),
        area,
    );

    let kind = if w.daemon {
        format!("{} (daemon)", w.kind)
    } else {
        w.kind.to_string()
    };
    let parent = w
        .parent
        .and_then(|p| world.worker(p))
        .map_or("none".to_string(), |p| {
            // A process's parent is another process: its pid is what getppid() says.
            if w.kind == crate::event::WorkerKind::Process {
                format!("{} (pid {})", p.name, p.pid)
            } else {
                p.name.clone()
            }
        });
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let text_style = theme.text();
    // One field for who it is (it wraps where narrow): the rows go to what it does.
    let who = format!(
        "{kind}{sep}pid {}{sep}parent {parent}{sep}{} ops",
        w.pid,
        w.ops,
        sep = g.sep
    );
    field(&mut lines, "kind", &who, text_style, width, theme);
    let state = describe::state(world, w);
    field(
        &mut lines,
        "state",
        &state,
        theme.state(w.phase()),
        width,
        theme,
    );
    // Step mode: what it does next and where, whole (the lane may have to cut it).
    if let Some(next) = screen.next_ops.iter().find(|n| n.w == w.id) {
        let text = next.text.strip_prefix("next: ").unwrap_or(&next.text);
        field(&mut lines, "next", text, text_style, width, theme);
    }
    field(
        &mut lines,
        "holds",
        &holds(world, w, theme),
        text_style,
        width,
        theme,
    );
    field(
        &mut lines,
        "waits",
        &waits(world, w),
        text_style,
        width,
        theme,
    );

    wakes(&mut lines, world, w, width, theme);

    shares(&mut lines, w, world.t, inner, theme);
    frame.render_widget(Paragraph::new(lines), inner);
}
