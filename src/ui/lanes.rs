//! The lanes panel: one row per worker (main included) with a selection marker, its name, a
//! kind tag, its state in words, and a timeline of past phases ending now. Only the visible
//! rows are computed, so a thousand workers cost what twenty do.

use super::theme::LEGEND;
use super::{Screen, Theme, layout, marks, panel, text};
use crate::event::{WorkerId, WorkerKind};
use crate::model::{Phase, Worker, World, describe, spark, task};
use crate::view::View;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::borrow::Cow;

/// Virtual time one timeline cell covers at first: 100 ms (`z` gives it more, see
/// [`View::cell_ns`](crate::view::View::cell_ns)).
#[cfg(test)]
const STEP_NS: u64 = crate::view::CELL_NS[0];

/// Lanes that fit in the panel's area (the legend sits in the bottom border).
pub fn rows(area: Rect) -> usize {
    layout::inner(area).height as usize
}

/// The first lane to show: `scroll` moved the least that keeps `selected` among `rows`.
pub fn scroll_for(selected: usize, scroll: usize, rows: usize, total: usize) -> usize {
    if rows == 0 || total == 0 {
        return 0;
    }
    let mut s = scroll.min(total.saturating_sub(rows));
    if selected < s {
        s = selected;
    } else if selected >= s + rows {
        s = selected + 1 - rows;
    }
    s
}

/// The kind tag of a lane: "main", "thread", "daemon" (a daemon thread); for a process
/// "proc PID/PPID" (its pid and its parent's), "d-proc" for a daemon one.
pub fn tag(world: &World, w: &Worker) -> Cow<'static, str> {
    match (w.kind, w.daemon) {
        (WorkerKind::Main, _) if w.name == "main" => "".into(), // not "main main"
        (WorkerKind::Main, _) => "main".into(),
        (WorkerKind::Thread, false) => "thread".into(),
        (WorkerKind::Thread, true) => "daemon".into(),
        (WorkerKind::Task, _) => "task".into(),
        (WorkerKind::Process, daemon) => {
            let ppid = w.parent.and_then(|p| world.worker(p)).map_or(0, |p| p.pid);
            let kind = if daemon { "d-proc" } else { "proc" };
            format!("{kind} {}/{ppid}", w.pid).into()
        }
    }
}

/// The kind tag where a column is narrow: nothing for a thread or main (what a lane is
/// unless marked), "daemon" for a daemon thread (its lesson is that it dies with main), "PID/PPID" for a process ("d PID/PPID" for a
/// daemon one): what the lessons of daemons and processes need, in a few cells.
pub fn short_tag(world: &World, w: &Worker) -> Cow<'static, str> {
    match (w.kind, w.daemon) {
        (WorkerKind::Main | WorkerKind::Thread, false) => "".into(),
        (WorkerKind::Main | WorkerKind::Thread, true) => "daemon".into(),
        // A task's lane sits under its thread's and its words say "running on main".
        (WorkerKind::Task, _) => "".into(),
        // A traced process's name says its pid already ("4243:worker"): its parent is in
        // its details, and the lane's words get the cells.
        (WorkerKind::Process, daemon) if w.name.starts_with(&format!("{}:", w.pid)) => {
            if daemon {
                "d".into()
            } else {
                "".into()
            }
        }
        (WorkerKind::Process, daemon) => {
            let ppid = w.parent.and_then(|p| world.worker(p)).map_or(0, |p| p.pid);
            let d = if daemon { "d " } else { "" };
            format!("{d}{}/{ppid}", w.pid).into()
        }
    }
}

/// The share of a lane's life it spent running while holding something, in percent, as
/// `spark::shares` counts its other shares (over the same life).
fn critical_pct(w: &Worker, now: u64) -> u8 {
    let (from, to) = spark::life(w, now);
    let span = to - from;
    if span == 0 {
        return 0;
    }
    let critical = w.timeline.spent(to).0[Phase::Critical as usize];
    (critical.saturating_mul(100) / span).min(100) as u8
}

/// A duration for the timeline's scale: "100ms", "1.5s".
pub fn dur(ns: u64) -> String {
    if ns >= 1_000_000_000 {
        describe::secs(ns)
    } else if ns >= 1_000_000 {
        format!("{}ms", ns / 1_000_000)
    } else {
        format!("{}µs", ns / 1_000)
    }
}

/// The right edge of the timeline: the end of the cell that contains `now`, on a grid of
/// `step`, so cells do not shift as time moves within one and the current phase shows even
/// when no event has come since it began.
pub fn window_end(now: u64, step: u64) -> u64 {
    let step = step.max(1);
    (now / step).saturating_add(1).saturating_mul(step)
}

/// Column widths of one lane row.
struct Columns {
    name: usize,
    tag: usize,
    /// The kind tag in its narrow form ([`short_tag`]).
    short_tag: bool,
    /// The share-of-time bar (0 when there is no room for it).
    share: usize,
    timeline: usize,
    state: usize,
}

/// The widths of the kind tags of the lanes shown: full and narrow.
struct TagWidths {
    full: usize,
    short: usize,
}

/// The columns for `lanes` in a panel `width` wide: the longest name and tag among them.
/// `words_first` (step mode: what each thread does next is the lesson, and its timeline is
/// mostly parked) leaves the timeline its fewest cells.
fn columns_for(world: &World, lanes: &[&Worker], width: usize, words_first: bool) -> Columns {
    let name_w = lanes
        .iter()
        .map(|w| text::width(&w.name))
        .max()
        .unwrap_or(4);
    let tags = TagWidths {
        full: lanes.iter().map(|w| tag(world, w).len()).max().unwrap_or(0),
        short: lanes
            .iter()
            .map(|w| short_tag(world, w).len())
            .max()
            .unwrap_or(0),
    };
    columns(width, name_w, tags, words_first)
}

/// The worker a row draws, if it is a lane.
fn lane_of<'a>(world: &'a World, row: &Row) -> Option<&'a Worker> {
    match row {
        Row::Lane(i) => world.workers.get(*i),
        Row::Tasks(_) | Row::Ended => None,
    }
}

/// Columns for a panel `inner_w` wide. The state's column is a share of the width, not of the
/// words shown now, so the timeline starts in the same column whatever the lanes say; the
/// kind tag goes narrow before it goes, and the share bar (in the details too) goes first.
fn columns(inner_w: usize, name_w: usize, tags: TagWidths, words_first: bool) -> Columns {
    const GUTTER: usize = 2;
    let name = name_w.clamp(4, 16).min(inner_w.saturating_sub(GUTTER));
    let mut avail = inner_w.saturating_sub(GUTTER + name + 1);
    let (tag, short_tag) = if tags.full > 0 && avail >= tags.full + 1 + 40 {
        (tags.full, false)
    } else if tags.short > 0 && avail >= tags.short + 1 + 20 {
        (tags.short, true)
    } else {
        (0, false)
    };
    if tag > 0 {
        avail -= tag + 1;
    }
    let share = if avail >= marks::SHARE_CELLS + 1 + 50 {
        marks::SHARE_CELLS
    } else {
        0
    };
    if share > 0 {
        avail -= share + 1;
    }
    // The words matter most to a learner; the timeline keeps at least a few cells.
    let least = if words_first { 9 } else { 11 };
    let pct = if words_first { 75 } else { 60 };
    let state = (avail * pct / 100).min(60).min(avail.saturating_sub(least));
    let timeline = avail.saturating_sub(state + if state > 0 { 1 } else { 0 });
    Columns {
        name,
        tag,
        short_tag,
        share,
        timeline,
        state,
    }
}

/// A failed or killed lane's mark, drawn once where it ended (if that is in the window,
/// which starts at `from`); the cells after it are a finished lane's (its words say how it
/// ended). `ended`: when the lane ended, if it has.
fn mark_end_once(phases: &mut [Phase], ended: Option<u64>, from: u64) {
    // A lane ends once: its cells from there are all its end's phase.
    let mut unmarked = ended.is_none_or(|t| t >= from);
    for p in phases.iter_mut() {
        if matches!(*p, Phase::Failed | Phase::Killed) {
            if unmarked {
                unmarked = false;
            } else {
                *p = Phase::Done;
            }
        }
    }
}

/// The legend's entries in order: glyphs, their style, long and short labels. Holding while
/// not running comes right after holding, before what it can be mistaken for: one entry for
/// each such glyph the lanes draw now (`held`: the phases held in), each saying what it is
/// ("▓ block+held"), so no held glyph reads as another state.
fn legend_entries(theme: &Theme, held: Drawn, drawn: Drawn) -> Vec<Entry> {
    // "held", not "lock": what a lane holds may be a semaphore's slot.
    const SHORT: [&str; 7] = ["run", "held", "sleep", "wait", "block", "done", "fail"];
    let g = &theme.glyphs;
    let mut out: Vec<_> = LEGEND
        .iter()
        .zip(SHORT)
        .map(|((p, long), short)| Entry {
            glyphs: g.phase(*p),
            style: theme.phase(*p),
            long,
            short,
            drawn: drawn.has(*p),
        })
        .collect();
    let idle_held = [
        // "held", not "lock": a semaphore's slot is held across a sleep as a lock is.
        (Phase::Sleeping, "sleeps holding", "sleep+held"),
        (Phase::Waiting, "waits holding", "wait+held"),
        (Phase::Blocked, "blocked holding", "block+held"),
    ];
    let shown = idle_held.iter().filter(|(p, ..)| held.has(*p));
    let mut at = 2;
    let entry = |glyphs, style, long, short| Entry {
        glyphs,
        style,
        long,
        short,
        drawn: true,
    };
    for (p, long, short) in shown {
        out.insert(at, entry(g.held(*p), theme.held(*p), long, short));
        at += 1;
    }
    let p = Phase::Parked;
    if drawn.has(p) {
        // Only when drawn: time a stepped program's thread spent waiting for the user.
        out.insert(
            at,
            entry(g.phase(p), theme.phase(p), "parked at the gate", "parked"),
        );
    }
    let p = Phase::Killed;
    if drawn.has(p) {
        // Only when drawn, before "done" and "failed".
        let before = out.len() - 2;
        out.insert(
            before,
            entry(g.phase(p), theme.phase(p), "killed", "killed"),
        );
    }
    out
}

/// One entry of the legend: its glyphs, their style, long and short labels, and whether the
/// lanes draw it now (where the legend is cut short, those they do not draw go first).
struct Entry {
    glyphs: &'static str,
    style: Style,
    long: &'static str,
    short: &'static str,
    drawn: bool,
}

/// Phases the lanes draw now, for the legend (parked and killed are listed only when
/// drawn): a set, one bit a phase.
#[derive(Clone, Copy, Default)]
pub struct Drawn(u16);

impl Drawn {
    pub fn add(&mut self, p: Phase) {
        self.0 |= 1 << p as u16;
    }

    pub fn has(self, p: Phase) -> bool {
        self.0 & (1 << p as u16) != 0
    }
}

/// The legend in the widest form that fits `width`: long labels, short labels, short labels
/// without the space after the glyph, then without entries: first those the lanes do not
/// draw now, from the end, then those they do, from the end (failed and done read without
/// one; holding does not).
pub fn legend(theme: &Theme, width: usize, held: Drawn, drawn: Drawn) -> Line<'static> {
    let entries = legend_entries(theme, held, drawn);
    let n = entries.len();
    let undrawn = (0..n).rev().filter(|&i| !entries[i].drawn);
    let drop_order: Vec<usize> = undrawn
        .chain((0..n).rev().filter(|&i| entries[i].drawn))
        .collect();
    for form in 0..3 + n {
        let dropped = &drop_order[..form.saturating_sub(2).min(n)];
        let kept = entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i));
        let mut spans = vec![Span::raw(" ")];
        let mut w = 1;
        for (_, e) in kept {
            let label = if form == 0 { e.long } else { e.short };
            let gap = if form >= 2 { "" } else { " " };
            spans.push(Span::styled(e.glyphs, e.style));
            spans.push(Span::styled(format!("{gap}{label} "), theme.dim()));
            w += text::width(e.glyphs) + gap.len() + text::width(label) + 1;
        }
        if w <= width || dropped.len() == n {
            // The wake-up marks, when they fit too: "◇◆ woke".
            let g = &theme.glyphs;
            let marks = text::width(g.waker) + text::width(g.woke) + 6;
            if w + marks <= width {
                spans.push(Span::styled(
                    format!("{}{}", g.waker, g.woke),
                    theme.cause(),
                ));
                spans.push(Span::styled(" woke ", theme.dim()));
            }
            return Line::from(spans);
        }
    }
    Line::raw("")
}

/// Draws the lanes in `area`, a thread's tasks folded by default where they are more than
/// the panel's rows.
pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    render_folding(frame, area, screen, rows(area));
}

/// The same, tasks folded by default where they are more than `fold_rows` (the rows the
/// panel would have with every lane shown: folding may make it shorter).
pub fn render_folding(frame: &mut Frame, area: Rect, screen: &Screen, fold_rows: usize) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let world = screen.world;
    let view = screen.view;
    let mut inner = layout::inner(area);
    let mut rows = rows(area);
    let selected = view.selected.min(world.workers.len().saturating_sub(1));
    let folded = folded(world, view, fold_rows);
    let mut list = row_list(world, &folded, selected);
    // Tasks by the thousand, shown: a row above the lanes counts a thread's tasks by state.
    let summary = census_row(
        world,
        (selected, &folded),
        rows,
        list.len(),
        (inner.width as usize).saturating_sub(3),
    );
    if summary.is_some() {
        rows -= 1;
    }
    // Lanes that ended before the timeline's window show nothing but "done" there.
    let all: Vec<&Worker> = list.iter().filter_map(|r| lane_of(world, r)).collect();
    let words_first = !screen.next_ops.is_empty();
    let timeline = columns_for(world, &all, inner.width as usize, words_first).timeline as u64;
    let step = view.cell_ns();
    let before = window_end(world.t, step).saturating_sub(step.saturating_mul(timeline));
    let ended = fold_ended(world, &mut list, (selected, rows), before);
    let total = list.len();
    let at = list
        .iter()
        .position(|r| *r == Row::Lane(selected))
        .unwrap_or(0);
    let first = scroll_for(at, 0, rows, total);
    let visible = &list[first.min(total)..(first + rows).min(total)];
    let shown: Vec<&Worker> = visible.iter().filter_map(|r| lane_of(world, r)).collect();

    let now = world.t;

    let cols = columns_for(world, &shown, inner.width as usize, words_first);
    // The state's words, briefer where the full ones do not fit its column: then briefer in
    // every lane, so the same state reads the same down the column.
    let fits = |s: &str| text::width(&theme.words(s)) <= cols.state;
    let narrow = shown.iter().any(|w| !fits(&describe::state(world, w)));
    let states: Vec<String> = shown
        .iter()
        .map(|w| {
            let next = screen.next_ops.iter().find(|n| n.w == w.id);
            let words = match next {
                // A blocked worker's hint, briefer where it would be cut: who stops it.
                Some(n) if !n.ready && !fits(&n.text) && w.blocked_on().is_some() => {
                    describe::cant_go_brief(world, w)
                }
                Some(n) => match &n.brief {
                    Some(b) if !fits(&n.text) => b.clone(),
                    _ => n.text.clone(),
                },
                None => {
                    let full = describe::state(world, w);
                    // Holding while not running is the lesson of a lock held across a
                    // sleep: the brief words say it ("sleeps holding lock").
                    let holds_idle = !w.holding.is_empty() && w.phase() == Phase::Sleeping;
                    if holds_idle || narrow {
                        // Briefer words before a cut that would lose their point.
                        let brief = describe::brief_state(world, w);
                        if fits(&brief) {
                            brief
                        } else {
                            describe::briefest_state(world, w)
                        }
                    } else {
                        full
                    }
                }
            };
            theme.words(&words).into_owned()
        })
        .collect();
    // `Timeline::cells` multiplies the step by the cell count unchecked: the steps of
    // `CELL_NS` keep it in range.
    let end = window_end(now, step);

    let start = end.saturating_sub(step.saturating_mul(cols.timeline as u64));
    let page = (total > rows && rows > 0).then(|| {
        format!(
            "{}{}{} of {}",
            first + 1,
            g.range,
            first + shown.len(),
            total
        )
    });
    let scale = Scale { start, now, step };
    let (name, page, scale) = titles(area.width as usize, page.as_deref(), &scale, theme);
    let mut title = vec![Span::raw(name)];
    if let Some(p) = page {
        title.push(Span::styled(p, theme.dim()));
    }
    // Each lane's cells, and which phases are drawn held among them (for the legend).
    let cells: Vec<(Vec<Phase>, Vec<Option<Phase>>)> = shown
        .iter()
        .filter(|_| cols.timeline > 0)
        .map(|w| {
            let mut phases = w.timeline.cells(end, step, cols.timeline);
            mark_end_once(&mut phases, (!w.is_alive()).then_some(w.since), start);
            let held = w.timeline.held_cells(end, step, &phases);
            (phases, held)
        })
        .collect();
    let (mut held, mut drawn) = (Drawn::default(), Drawn::default());
    for (phases, held_cells) in &cells {
        phases.iter().for_each(|p| drawn.add(*p));
        held_cells.iter().flatten().for_each(|p| held.add(*p));
    }
    let block = panel(Line::from(title), theme)
        .title_top(Line::styled(scale, theme.dim()).right_aligned())
        .title_bottom(legend(theme, inner.width as usize, held, drawn));
    frame.render_widget(block, area);

    if total == 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(" no workers yet", theme.dim())),
            inner,
        );
        return;
    }

    if let Some(words) = summary {
        let line = Line::from(vec![
            Span::styled(format!(" {} ", g.unfolded), theme.dim()),
            Span::styled(
                text::pad(&words, (inner.width as usize).saturating_sub(3), g.ellipsis),
                theme.dim(),
            ),
        ]);
        super::put::line(frame.buffer_mut(), (inner.x, inner.y), &line, inner.width);
        inner.y += 1;
        inner.height -= 1;
    }

    let cycle = world.deadlock.as_deref().unwrap_or(&[]);
    let win = marks::Window {
        end,
        step,
        cells: cols.timeline,
    };
    let ids: Vec<_> = shown.iter().map(|w| w.id).collect();
    let overlays = marks::overlays(world, &ids, win, theme);
    let buf = frame.buffer_mut();
    let mut lanes = shown.iter().zip(&states).zip(&overlays).enumerate();
    for (y, row) in (inner.y..).zip(visible) {
        let Row::Lane(i) = *row else {
            let width = (inner.width as usize).saturating_sub(3);
            let words = match *row {
                Row::Tasks(thread) => describe::census_words(world, thread, false),
                Row::Ended => {
                    let head = format!("{} ended: ", ended.len());
                    let names: Vec<&str> = ended
                        .iter()
                        .filter_map(|i| world.workers.get(*i))
                        .map(|w| w.name.as_str())
                        .collect();
                    let room = width.saturating_sub(text::width(&head));
                    let names = text::join_fit(names.into_iter(), " ", room, g.ellipsis);
                    head + &names
                }
                Row::Lane(_) => String::new(),
            };
            let line = Line::from(vec![
                Span::styled(format!(" {} ", g.folded), theme.dim()),
                Span::styled(text::pad(&words, width, g.ellipsis), theme.dim()),
            ]);
            super::put::line(buf, (inner.x, y), &line, inner.width);
            continue;
        };
        let Some((k, ((w, state), over))) = lanes.next() else {
            break;
        };
        let is_sel = i == selected;
        let in_cycle = cycle.contains(&w.id);
        let phase = w.phase();
        let mut spans = Vec::with_capacity(12);
        spans.push(Span::raw(if is_sel { g.selected } else { " " }));
        spans.push(if in_cycle {
            Span::styled(g.deadlock, theme.deadlock_mark())
        } else {
            Span::raw(" ")
        });
        let name_style = if in_cycle {
            theme.deadlock_mark()
        } else {
            theme.name()
        };
        spans.push(Span::styled(
            text::pad(&w.name, cols.name, g.ellipsis),
            name_style,
        ));
        spans.push(Span::raw(" "));
        if cols.tag > 0 {
            let kind = if cols.short_tag {
                short_tag(world, w)
            } else {
                tag(world, w)
            };
            spans.push(Span::styled(text::pad(&kind, cols.tag, ""), theme.dim()));
            spans.push(Span::raw(" "));
        }
        if cols.share > 0 {
            let shares = spark::shares(w, now);
            let held = marks::Held::of(shares, critical_pct(w, now));
            spans.extend(marks::share_bar(shares, held, theme));
            spans.push(Span::raw(" "));
        }
        // The words first, padded to one column, then the timeline: it fills from the left
        // as the run goes on and scrolls once full, with now at its right end.
        if cols.state > 0 {
            spans.push(Span::styled(
                text::pad(state, cols.state, g.ellipsis),
                theme.state(phase),
            ));
            spans.push(Span::raw(" "));
        }
        let row_style = if is_sel {
            theme.selected()
        } else {
            Style::default()
        };
        // Written into the buffer row by row (what a paragraph of these lines would draw,
        // without its line layout): the words as a line, the timeline cell by cell after it.
        let line = Line::from(spans).style(row_style);
        let x = super::put::line(buf, (inner.x, y), &line, inner.width);
        if let Some((phases, held)) = cells.get(k) {
            let cells = marks::Cells { phases, held };
            let width = inner.right().saturating_sub(x);
            marks::put(buf, (x, y), width, cells, over, theme, row_style);
        }
    }
}

/// The time the timeline shows: from `start` to `now`, `step` a cell.
struct Scale {
    start: u64,
    now: u64,
    step: u64,
}

/// The panel's titles for a border `width` wide: its name, the page of lanes shown (if
/// they do not all fit) and the time scale, each as full as the others leave room for.
/// Narrow (side by side at 80 columns), the scale goes brief first ("1.8s → 3.0s"), then
/// the name, so neither the page ("1–12 of 20") nor the times are cut.
fn titles(
    width: usize,
    page: Option<&str>,
    scale: &Scale,
    theme: &Theme,
) -> (&'static str, Option<String>, String) {
    let g = &theme.glyphs;
    let (start, now) = (describe::secs(scale.start), describe::secs(scale.now));
    let full = format!(
        " {start}{}{now} {} {}/cell ",
        g.then,
        g.sep.trim(),
        dur(scale.step)
    );
    let range = format!(" {start}{}{now} ", g.then);
    let at = format!(" t={now} ");
    // Most to least said; the name goes only where there is a page to show instead.
    let forms: [(&'static str, &str); 6] = [
        (" Lanes ", &full),
        (" Lanes ", &range),
        (" ", &range),
        (" Lanes ", &at),
        (" ", &at),
        (" ", ""),
    ];
    let page = page.map(|p| format!("{p} "));
    let page_w = page.as_deref().map_or(0, text::width);
    // Both corners and a cell of border between the titles.
    let room = width.saturating_sub(3);
    for (name, scale) in forms {
        if name == " " && page.is_none() {
            continue;
        }
        if name.len() + page_w + text::width(scale) <= room {
            return (name, page, scale.to_string());
        }
    }
    let name = if page.is_some() { " " } else { " Lanes " };
    (name, page, String::new())
}

/// The words of the row above the lanes, when lanes do not all fit and shown tasks are
/// among them: the tasks of the selected lane's thread (or of the first thread that runs
/// tasks), counted by state, the thread's name left out where `width` is too narrow for
/// it (the row's glyph says `t` folds them). Not when that thread's tasks are folded
/// (their own row counts them) or the panel is too short to spare a row.
fn census_row(
    world: &World,
    (selected, folded): (usize, &[WorkerId]),
    rows: usize,
    total: usize,
    width: usize,
) -> Option<String> {
    if world.tasks == 0 || total <= rows || rows < 4 {
        return None;
    }
    let near = world.workers.get(selected).map(task::thread_of);
    let thread = near
        .filter(|&t| task::runs_tasks(world, t))
        .or_else(|| world.workers.iter().find(|w| task::is_task(w))?.thread)
        .filter(|t| !folded.contains(t))?;
    let words = describe::census_words(world, thread, true);
    if text::width(&words) <= width {
        return Some(words);
    }
    Some(describe::census_words(world, thread, false))
}

/// One row of the lanes panel: a worker's lane (its index in `world.workers`), or the row
/// that stands for a thread's folded tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Lane(usize),
    Tasks(WorkerId),
    /// Lanes that ended, folded where the lanes do not fit (see [`fold_ended`]).
    Ended,
}

/// Where the panel's rows are more than fit (`rows`), the lanes that ended first go into one
/// row that names them, as many as it takes to fit (never the `selected` one, nor a task:
/// tasks fold by thread): those that ended `before` the timeline's window (they show only
/// "done" there), and those whose end is in view too where a lane that holds a lock or a
/// slot would still be out of view. So the holders stay in view, and where there is room
/// the ends just before them (a lock held across a sleep: the holder, its queue, and the
/// staircase of the last holders). Returns the lanes folded (indexes in `world.workers`).
pub fn fold_ended(
    world: &World,
    list: &mut Vec<Row>,
    (selected, rows): (usize, usize),
    before: u64,
) -> Vec<usize> {
    if list.len() <= rows {
        return Vec::new();
    }
    let ended: Vec<(u64, usize)> = list
        .iter()
        .enumerate()
        .filter_map(|(at, r)| match *r {
            Row::Lane(i) if i != selected => world
                .workers
                .get(i)
                .filter(|w| w.is_done() && !task::is_task(w))
                .map(|w| (w.since, at)),
            _ => None,
        })
        .collect();
    let long_ago: Vec<(u64, usize)> = ended.iter().copied().filter(|e| e.0 < before).collect();
    let (rows_then, folded) = fold_first(list, long_ago, rows);
    let holder_hidden = {
        let at = rows_then
            .iter()
            .position(|r| *r == Row::Lane(selected))
            .unwrap_or(0);
        let first = scroll_for(at, 0, rows, rows_then.len());
        let seen = first..first + rows;
        rows_then.iter().enumerate().any(|(k, r)| {
            !seen.contains(&k) && lane_of(world, r).is_some_and(|w| !w.holding.is_empty())
        })
    };
    let (rows_then, folded) = if holder_hidden {
        fold_first(list, ended, rows)
    } else {
        (rows_then, folded)
    };
    *list = rows_then;
    folded
}

/// `list` with the first-ended of `ended` (end, row) folded into one row, as many as it
/// takes to fit `rows` (none if that frees no row), and the lanes folded.
fn fold_first(list: &[Row], mut ended: Vec<(u64, usize)>, rows: usize) -> (Vec<Row>, Vec<usize>) {
    // Folding k lanes into one row frees k - 1.
    let k = (list.len() + 1).saturating_sub(rows).min(ended.len());
    if k < 2 {
        return (list.to_vec(), Vec::new());
    }
    ended.sort_unstable();
    let mut gone: Vec<usize> = ended[..k].iter().map(|&(_, at)| at).collect();
    gone.sort_unstable();
    let mut kept = Vec::with_capacity(list.len() + 1 - k);
    let mut folded = Vec::with_capacity(k);
    for (at, r) in list.iter().enumerate() {
        if at == gone[0] {
            kept.push(Row::Ended);
        }
        match (gone.binary_search(&at), *r) {
            (Ok(_), Row::Lane(i)) => folded.push(i),
            (Ok(_), _) => {}
            (Err(_), r) => kept.push(r),
        }
    }
    (kept, folded)
}

/// The threads whose tasks are folded into one row: those the user folded (`t`), and
/// those with more tasks than the panel has `rows` that the user did not unfold.
pub fn folded(world: &World, view: &View, rows: usize) -> Vec<WorkerId> {
    if world.tasks == 0 {
        return Vec::new();
    }
    let mut counts: Vec<(WorkerId, usize)> = Vec::new();
    for w in world.workers.iter().filter(|w| task::is_task(w)) {
        let t = task::thread_of(w);
        match counts.iter_mut().find(|(x, _)| *x == t) {
            Some((_, n)) => *n += 1,
            None => counts.push((t, 1)),
        }
    }
    counts
        .into_iter()
        // A thread not (yet) declared has no lane for the summary row to follow.
        .filter(|(t, _)| world.worker(*t).is_some_and(|w| !task::is_task(w)))
        .filter(|(t, n)| match view.folds.iter().find(|(x, _)| x == t) {
            Some((_, chosen)) => *chosen,
            None => *n > rows,
        })
        .map(|(t, _)| t)
        .collect()
}

/// The panel's rows in order: every lane but the tasks of a `folded` thread, each such
/// thread's lane followed by the row that counts its tasks. The `selected` lane shows
/// wherever it is, so a task chosen by tab or a step is seen even when folded.
pub fn row_list(world: &World, folded: &[WorkerId], selected: usize) -> Vec<Row> {
    let mut rows = Vec::with_capacity(if folded.is_empty() {
        world.workers.len()
    } else {
        16
    });
    for (i, w) in world.workers.iter().enumerate() {
        let task = task::is_task(w);
        if task && i != selected && folded.contains(&task::thread_of(w)) {
            continue;
        }
        rows.push(Row::Lane(i));
        if !task && folded.contains(&w.id) {
            rows.push(Row::Tasks(w.id));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario's process lane is tagged PID/PPID; a traced one's name says its pid
    /// already, so its narrow tag gives the cells to its words.
    #[test]
    fn a_narrow_process_tag_does_not_say_a_pid_the_name_says() {
        use crate::event::{Event, Op};
        let mut world = World::default();
        for (pid, w, name, kind) in [
            (10, 0, "main", WorkerKind::Main),
            (11, 1, "child", WorkerKind::Process),
            (12, 2, "12:worker", WorkerKind::Process),
        ] {
            let parent = (w > 0).then_some(0);
            let op = Op::Worker {
                name: name.into(),
                kind,
                daemon: false,
                parent,
                thread: None,
            };
            world.apply(&Event { t: 0, pid, w, op });
        }
        let tags: Vec<String> = world
            .workers
            .iter()
            .map(|w| short_tag(&world, w).into())
            .collect();
        assert_eq!(tags, ["", "11/10", ""]);
    }

    #[test]
    fn scroll_keeps_the_selected_lane_visible() {
        assert_eq!(scroll_for(0, 0, 10, 100), 0);
        assert_eq!(scroll_for(15, 0, 10, 100), 6);
        assert_eq!(scroll_for(3, 6, 10, 100), 3);
        assert_eq!(scroll_for(99, 500, 10, 100), 90);
        assert_eq!(scroll_for(5, 0, 0, 100), 0);
    }

    /// Side by side at 80 columns a lanes panel is 40 wide: the page stays whole and the
    /// scale says its times, briefer; wide, everything is said.
    #[test]
    fn the_title_keeps_the_page_and_the_times_when_narrow() {
        let theme = Theme::plain();
        let s = |start: u64, now: u64| Scale {
            start: start * 100_000_000,
            now: now * 100_000_000,
            step: STEP_NS,
        };
        let (name, page, scale) = titles(40, Some("1–8 of 21"), &s(18, 30), &theme);
        assert_eq!((name, page.as_deref()), (" Lanes ", Some("1–8 of 21 ")));
        assert_eq!(scale, " 1.8s → 3.0s ");
        let (name, page, scale) = titles(80, Some("1–12 of 20"), &s(18, 30), &theme);
        assert_eq!((name, page.as_deref()), (" Lanes ", Some("1–12 of 20 ")));
        assert_eq!(scale, " 1.8s → 3.0s · 100ms/cell ");
        // Long runs, narrow: the name goes before the page or the times are cut.
        let (name, page, scale) = titles(30, Some("1–12 of 1000"), &s(12_000, 12_020), &theme);
        assert_eq!((name, page.as_deref()), (" ", Some("1–12 of 1000 ")));
        assert_eq!(scale, " t=1202.0s ");
    }

    #[test]
    fn the_window_ends_after_now_on_the_grid() {
        assert_eq!(window_end(0, 100), 100);
        assert_eq!(window_end(250, 100), 300);
        assert_eq!(window_end(300, 100), 400);
        assert_eq!(window_end(u64::MAX, 100), u64::MAX);
    }
}
