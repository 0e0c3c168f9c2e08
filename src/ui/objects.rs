//! The objects panel: every lock with its owner and its queue of waiters, every semaphore as
//! its slots, every event as a traffic light, every queue as a gauge with its items in the
//! order they will come out, and the simpler objects (values, pools, pipes, conditions,
//! barriers) in a line or two. Pages with `view.object_scroll` when they do not all fit.
//! Objects are named in the model's words (`describe::full_label`).

use super::{Screen, Theme, layout, panel, text};
use crate::event::{Num, ObjectKind, WorkerId};
use crate::model::describe::bytes_words;
use crate::model::object::Bytes;
use crate::model::{Object, ObjectState, Wait, World, describe, spark};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Before a queue's items, which are listed in the order they will come out.
const NEXT: &str = "next: ";

/// At most this many rows of semaphore slots; more slots are counted, not drawn.
const SLOT_ROWS: usize = 3;

/// The first line of a card: "lock A  held by job1" (the kind's words dim, the name bright;
/// a shorter kind word when the card is narrow).
fn head(o: &Object, summary: Vec<Span<'static>>, width: usize, theme: &Theme) -> Line<'static> {
    let rest = 2 + summary.iter().map(|s| s.width()).sum::<usize>();
    let full = describe::full_label(o.kind, &o.name);
    let label = if text::width(&full.to_string()) + rest <= width {
        full
    } else {
        describe::short_label(o.kind, &o.name)
    };
    let mut spans = Vec::new();
    for (part, style) in [
        (label.before, theme.dim()),
        (label.name, theme.name()),
        (label.after, theme.dim()),
    ] {
        if part.is_empty() {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(part.to_string(), style));
    }
    spans.push(Span::raw("  "));
    spans.extend(summary);
    Line::from(spans)
}

/// The head line with the first of `summaries` (longest first) that fits `width`, else the
/// last: a shorter summary rather than one cut mid-word.
fn head_fit<const N: usize>(
    o: &Object,
    summaries: [Vec<Span<'static>>; N],
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    let mut last = Line::default();
    for summary in summaries {
        last = head(o, summary, width, theme);
        if last.width() <= width {
            break;
        }
    }
    last
}

/// "  waiting: job2 → job3" for the waiters that match, or nothing when there are none.
fn waiters_line(
    world: &World,
    o: &Object,
    label: &str,
    pred: impl Fn(Wait) -> bool + Copy,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let names: Vec<&str> = o.waiting(pred).map(|w| world.worker_name(w)).collect();
    let style = theme.phase(crate::model::Phase::Blocked);
    names_lines(label, &names, theme.glyphs.then, width, style, theme)
}

/// "  LABEL: a, b, … +3": names after a label on one line; where not even one name fits
/// there beside the count of the rest ("running: … +4" says nothing of who), on a second
/// line too, under the first.
fn names_lines(
    label: &str,
    names: &[&str],
    sep: &str,
    width: usize,
    style: Style,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if names.is_empty() {
        return Vec::new();
    }
    let g = &theme.glyphs;
    let prefix = format!("  {label}: ");
    let room = width.saturating_sub(text::width(&prefix));
    let one = text::join_fit(names.iter().copied(), sep, room, g.ellipsis);
    let rows = if one.starts_with(g.ellipsis) {
        text::wrap_names(names, sep, room, width.saturating_sub(4), 2, g.ellipsis)
    } else {
        vec![one]
    };
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                prefix.clone()
            } else {
                "    ".into()
            };
            Line::from(vec![
                Span::styled(lead, theme.dim()),
                Span::styled(row, style),
            ])
        })
        .collect()
}

/// An rwlock's card: its writer, or its readers (together), then who waits to write and
/// who waits to read (a reader behind a waiting writer waits too).
fn rwlock_lines(
    world: &World,
    o: &Object,
    writer: Option<WorkerId>,
    readers: &[WorkerId],
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let held = theme.phase(crate::model::Phase::Critical);
    let summary = match writer {
        Some(w) => vec![
            Span::styled("written by ", theme.dim()),
            Span::styled(world.worker_name(w).to_string(), held),
        ],
        None if readers.is_empty() => vec![Span::styled("free", theme.dim())],
        None => vec![Span::styled(
            format!("read by {}", readers.len()),
            theme.dim(),
        )],
    };
    let mut lines = vec![head(o, summary, width, theme)];
    if !readers.is_empty() {
        let prefix = "  readers: ";
        let names = readers.iter().map(|r| world.worker_name(*r));
        let room = width.saturating_sub(text::width(prefix));
        let joined = text::join_fit(names, ", ", room, theme.glyphs.ellipsis);
        lines.push(Line::from(vec![
            Span::styled(prefix, theme.dim()),
            Span::styled(joined, held),
        ]));
    }
    let to_write = |w: Wait| matches!(w, Wait::Acquire(_));
    let to_read = |w: Wait| matches!(w, Wait::AcquireShared(_));
    lines.extend(waiters_line(world, o, "to write", to_write, width, theme));
    lines.extend(waiters_line(world, o, "to read", to_read, width, theme));
    lines
}

/// Semaphore slots, each filled with its holder's name: "[w1 ][w7 ][   ]".
fn slot_lines(
    world: &World,
    holders: &[u32],
    slots: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let name_w = holders
        .iter()
        .map(|h| text::width(world.worker_name(*h)))
        .max()
        .unwrap_or(3)
        .clamp(3, 8);
    let cell_w = name_w + 2;
    let avail = width.saturating_sub(2);
    let per_row = (avail / cell_w).max(1);
    let mut lines = Vec::new();
    let mut i = 0;
    while i < slots && lines.len() < SLOT_ROWS {
        let mut spans = vec![Span::raw("  ")];
        let last_row = lines.len() + 1 == SLOT_ROWS;
        let mut j = 0;
        while j < per_row && i < slots {
            let left = slots - i;
            if last_row && j + 1 == per_row && left > 1 {
                spans.push(Span::styled(format!("+{left}"), theme.dim()));
                i = slots;
                break;
            }
            match holders.get(i) {
                Some(h) => {
                    let name = text::pad(world.worker_name(*h), name_w, theme.glyphs.ellipsis);
                    spans.push(Span::styled("[", theme.dim()));
                    spans.push(Span::styled(
                        name,
                        theme.phase(crate::model::Phase::Critical),
                    ));
                    spans.push(Span::styled("]", theme.dim()));
                }
                None => spans.push(Span::styled(
                    format!("[{}]", " ".repeat(name_w)),
                    theme.dim(),
                )),
            }
            i += 1;
            j += 1;
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// A queue's gauge: "[█████░░░░░]" scaled into at most `cells` cells.
fn gauge(depth: u64, max: u64, cells: usize, theme: &Theme) -> Vec<Span<'static>> {
    let cells = (max.min(cells as u64) as usize).max(1);
    let full = if max == 0 {
        0
    } else {
        ((depth.min(max) as u128 * cells as u128).div_ceil(max as u128)) as usize
    };
    let g = &theme.glyphs;
    vec![
        Span::styled("[", theme.dim()),
        Span::styled(g.gauge_full.repeat(full), theme.gauge(depth >= max)),
        Span::styled(g.gauge_empty.repeat(cells - full), theme.dim()),
        Span::styled("]", theme.dim()),
    ]
}

/// The lines of one object's card, for a panel `width` cells wide.
pub fn card(world: &World, o: &Object, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let g = &theme.glyphs;
    let any = |_: Wait| true;
    let mut lines = Vec::new();
    match &o.state {
        ObjectState::Lock { owner, depth } => {
            let summary = match owner {
                // Its holder ended holding it (a process killed -9): nobody will release it.
                Some(w) if world.worker(*w).is_some_and(|k| k.is_done()) => vec![
                    Span::styled("ABANDONED by ", theme.problem()),
                    Span::styled(world.worker_name(*w).to_string(), theme.problem()),
                    Span::styled(" (ended holding it)", theme.dim()),
                ],
                Some(w) => vec![
                    Span::styled("held by ", theme.dim()),
                    Span::styled(
                        world.worker_name(*w).to_string(),
                        theme.phase(crate::model::Phase::Critical),
                    ),
                ],
                None => vec![Span::styled("free", theme.dim())],
            };
            // An RLock's depth is its lesson: beside its holder where it fits, else on a
            // line of its own rather than cut off.
            let depth_words = format!(" (depth {depth})");
            let live = |w: &u32| !world.worker(*w).is_some_and(|k| k.is_done());
            let rlock_held = o.kind == ObjectKind::RLock && owner.as_ref().is_some_and(live);
            let mut summary = summary;
            let line = head(o, summary.clone(), width, theme);
            let own_line = rlock_held && line.width() + text::width(&depth_words) > width;
            if rlock_held && !own_line {
                summary.push(Span::styled(depth_words, theme.dim()));
            }
            lines.push(head(o, summary, width, theme));
            if own_line {
                lines.push(Line::styled(format!("  depth {depth}"), theme.dim()));
            }
            lines.extend(waiters_line(world, o, "waiting", any, width, theme));
        }
        ObjectState::RwLock { writer, readers } => {
            lines.extend(rwlock_lines(world, o, *writer, readers, width, theme));
        }
        ObjectState::Semaphore { value, holders } => {
            let slots = (holders.len() as u64)
                .saturating_add(*value)
                .max(o.capacity.unwrap_or(0))
                .min(usize::MAX as u64) as usize;
            let summary = vec![Span::styled(
                format!("{}/{} taken", holders.len(), slots),
                theme.dim(),
            )];
            lines.push(head(o, summary, width, theme));
            lines.extend(slot_lines(world, holders, slots, width, theme));
            lines.extend(waiters_line(world, o, "waiting", any, width, theme));
        }
        ObjectState::Event { flag } => {
            let (glyph, word, what) = if *flag {
                (g.light_green, "GREEN", "set")
            } else {
                (g.light_red, "RED", "cleared")
            };
            let light = Span::styled(format!("{glyph} {word}"), theme.light(*flag));
            let summary = vec![
                light.clone(),
                Span::styled(format!(" ({what})"), theme.dim()),
            ];
            // The light is the point: "(set)" goes rather than be cut to "(s".
            let line = head(o, summary, width, theme);
            let line = if line.width() > width {
                head(o, vec![light], width, theme)
            } else {
                line
            };
            lines.push(line);
            lines.extend(waiters_line(world, o, "waiting", any, width, theme));
        }
        ObjectState::Queue {
            depth,
            items,
            unfinished,
        } => {
            let mut summary = Vec::new();
            match o.maxsize() {
                // Holds nothing: a sender waits for a receiver, and hands its item over.
                _ if o.kind == ObjectKind::Rendezvous => {
                    // Short: the kind word is long, and the card is narrow at 80 columns.
                    let words = if *depth > 0 { "in hand" } else { "cap 0" };
                    summary.push(Span::styled(words, theme.dim()));
                }
                Some(max) => {
                    summary.push(Span::styled(
                        format!("{depth}/{max}"),
                        theme.gauge(*depth >= max),
                    ));
                    if *depth >= max {
                        summary.push(Span::styled(" full", theme.gauge(true)));
                    }
                }
                None => summary.push(Span::styled(format!("depth {depth}"), theme.text())),
            }
            lines.push(head(o, summary, width, theme));
            let mut row = vec![Span::raw("  ")];
            let mut used = 2;
            if let Some(max) = o.maxsize() {
                let cells = width.saturating_sub(4).min(20);
                let gspans = gauge(*depth, max, cells, theme);
                used += gspans.iter().map(|s| s.width()).sum::<usize>() + 1;
                row.extend(gspans);
                row.push(Span::raw(" "));
            }
            if items.is_empty() {
                row.push(Span::styled("empty", theme.dim()));
                lines.push(Line::from(row));
            } else {
                // Items in the order they will come out (the model keeps them so), and
                // said to be: FIFO, LIFO and priority queues differ at a glance.
                row.push(Span::styled(NEXT, theme.dim()));
                used += text::width(NEXT);
                let names: Vec<&str> = items.iter().map(String::as_str).collect();
                let first = width.saturating_sub(used);
                let rest = width.saturating_sub(4);
                let wrapped = text::wrap_names(&names, " ", first, rest, 3, g.ellipsis);
                for (k, l) in wrapped.into_iter().enumerate() {
                    if k == 0 {
                        row.push(Span::styled(l, theme.text()));
                        lines.push(Line::from(std::mem::take(&mut row)));
                    } else {
                        lines.push(Line::from(vec![
                            Span::raw("    "),
                            Span::styled(l, theme.text()),
                        ]));
                    }
                }
            }
            let put = |w: Wait| matches!(w, Wait::Put(_));
            let get = |w: Wait| matches!(w, Wait::Get(_));
            let join = |w: Wait| matches!(w, Wait::QueueJoin(_));
            lines.extend(waiters_line(world, o, "blocked on put", put, width, theme));
            lines.extend(waiters_line(world, o, "blocked on get", get, width, theme));
            let label = format!("joining ({unfinished} not done)");
            lines.extend(waiters_line(world, o, &label, join, width, theme));
        }
        ObjectState::Pool {
            submitted,
            running,
            done,
        } => {
            let long = format!(
                "{submitted} submitted{}{} running{}{} done",
                g.sep,
                running.len(),
                g.sep,
                done.len()
            );
            // Narrower: the counts in fewer words, then what runs now and what is done (they
            // say the most; the running list follows).
            let (r, d) = (running.len(), done.len());
            let wait = submitted.saturating_sub((r + d) as u64);
            let short = format!("{r} run{}{wait} queued{}{d} done", g.sep, g.sep);
            let summary = |s: &str| vec![Span::styled(s.to_string(), theme.dim())];
            let line = head_fit(o, [summary(&long), summary(&short)], width, theme);
            if line.width() <= width {
                lines.push(line);
            } else {
                // Narrowest: the counts on a line of their own, whole.
                lines.push(head(o, Vec::new(), width, theme));
                lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(short, theme.dim()),
                ]));
            }
            if !running.is_empty() {
                let names: Vec<String> = running
                    .iter()
                    .map(|(w, t)| format!("{} #{t}", world.worker_name(*w)))
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let style = theme.phase(crate::model::Phase::Running);
                lines.extend(names_lines("running", &names, ", ", width, style, theme));
            }
            lines.extend(waiters_line(world, o, "waiting", any, width, theme));
        }
        ObjectState::Pipe { in_flight } => {
            let n = in_flight.len();
            let short = if n == 0 {
                "empty".into()
            } else {
                format!("{n} in it")
            };
            let summary = |s: String| vec![Span::styled(s, theme.dim())];
            let choices = [summary(format!("{n} in flight")), summary(short)];
            lines.push(head_fit(o, choices, width, theme));
            if !in_flight.is_empty() {
                let s = text::join_fit(
                    in_flight.iter().map(String::as_str),
                    " ",
                    width.saturating_sub(2),
                    g.ellipsis,
                );
                lines.push(Line::from(vec![Span::raw("  "), Span::raw(s)]));
            }
            lines.extend(waiters_line(world, o, "receiving", any, width, theme));
        }
        ObjectState::Value { value, cells, .. } if cells.is_empty() => {
            lines.push(head(
                o,
                vec![Span::styled(format!("= {value}"), theme.name())],
                width,
                theme,
            ));
        }
        ObjectState::Value { cells, last, .. } => {
            let len = Span::styled(format!("array of {}", cells.len()), theme.dim());
            lines.push(head(o, vec![len], width, theme));
            lines.push(cells_line(cells, *last, width, theme));
        }
        ObjectState::SharedMemory {
            unlinked, bytes, ..
        } => {
            let mapped = world.mapping(o);
            lines.extend(memory_lines(
                world,
                o,
                &mapped,
                *unlinked,
                bytes.as_ref(),
                width,
                theme,
            ))
        }
        ObjectState::Plain => {
            let n = o.waiters.len();
            let summary = match (o.kind, o.capacity) {
                (ObjectKind::Barrier, Some(parties)) => {
                    vec![Span::styled(format!("{n}/{parties} arrived"), theme.dim())]
                }
                _ => vec![Span::styled(format!("{n} waiting"), theme.dim())],
            };
            lines.push(head(o, summary, width, theme));
            lines.extend(waiters_line(world, o, "waiting", any, width, theme));
        }
    }
    lines.extend(spark_line(world, o, width, theme));
    lines
}

/// Shared memory's card: its size and who maps it ("mapped by 2"), their names, and its
/// first bytes as last read from the block (those just changed marked), in hex.
fn memory_lines(
    world: &World,
    o: &Object,
    mapped: &[WorkerId],
    unlinked: bool,
    bytes: Option<&Bytes>,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut facts: Vec<String> = o.capacity.map(bytes_words).into_iter().collect();
    match (mapped.is_empty(), unlinked) {
        (true, true) => facts.push("unlinked: gone".into()),
        (false, true) => facts.push("unlinked".into()),
        (true, false) => facts.push("not mapped".into()),
        (false, false) => {}
    }
    let facts = Span::styled(facts.join(theme.glyphs.sep), theme.dim());
    let line = head(o, vec![facts.clone()], width, theme);
    let mut lines = if line.width() <= width {
        vec![line]
    } else {
        // Its name is long (psm_1a2b3c4d): the facts on a line of their own, whole.
        vec![
            head(o, Vec::new(), width, theme),
            Line::from(vec![Span::raw("  "), facts]),
        ]
    };
    if !mapped.is_empty() {
        // A process's name is long (pid and all): one a line, so each is named whole.
        lines.push(Line::styled("  mapped by:", theme.dim()));
        let shown = if mapped.len() > MAPPERS_SHOWN {
            MAPPERS_SHOWN - 1
        } else {
            mapped.len()
        };
        let room = width.saturating_sub(4);
        for w in &mapped[..shown] {
            let name = text::fit(world.worker_name(*w), room, theme.glyphs.ellipsis);
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(name, theme.text()),
            ]));
        }
        if shown < mapped.len() {
            let more = format!(
                "    {} +{} more",
                theme.glyphs.ellipsis,
                mapped.len() - shown
            );
            lines.push(Line::styled(more, theme.dim()));
        }
    }
    if let Some(b) = bytes {
        lines.extend(hex_lines(b, width, theme));
    }
    lines
}

/// Processes named on a shared memory card, the last line saying how many more there are.
const MAPPERS_SHOWN: usize = 4;

/// Bytes in hex, as many rows of whole bytes as fit in two lines ("  00 2a ff …"). The
/// ones that changed at the last change are bracketed, in place of the spaces around them
/// ("  00[2a 2b]00": the columns stay put, and it reads without colour), and in the accent
/// style.
fn hex_lines(b: &Bytes, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let per_row = (width.saturating_sub(3) / 3).max(1);
    let shown = b.bytes.len().min(per_row * 2);
    let changed = |i: usize| b.changed.get(i).copied().unwrap_or(false);
    // Since when they have held so (as far as they were read): a scrubbed moment's world
    // knows them only as they were read before it.
    let since = format!("  bytes since {}:", describe::secs(b.t));
    let mut lines = vec![Line::styled(since, theme.dim())];
    for row in (0..shown).step_by(per_row) {
        let end = (row + per_row).min(shown);
        let mut spans = vec![Span::raw(" ")];
        for i in row..end {
            let opens = changed(i) && (i == row || !changed(i - 1));
            let closes = i > row && changed(i - 1) && !changed(i);
            let lead = if opens {
                "["
            } else if closes {
                "]"
            } else {
                " "
            };
            let style = if changed(i) {
                theme.phase(crate::model::Phase::Critical)
            } else {
                theme.text()
            };
            spans.push(Span::styled(lead, theme.dim()));
            spans.push(Span::styled(format!("{:02x}", b.bytes[i]), style));
        }
        if changed(end - 1) {
            spans.push(Span::styled("]", theme.dim()));
        }
        if end == shown && shown < b.bytes.len() {
            spans.push(Span::styled(theme.glyphs.ellipsis, theme.dim()));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// An array's cells, "  [1, 2, 3]", the one touched last marked; too many for the width,
/// those around it ("  …4, 5, 6…").
fn cells_line(cells: &[Num], last: Option<u32>, width: usize, theme: &Theme) -> Line<'static> {
    let room = width.saturating_sub(4);
    let text: Vec<String> = cells.iter().map(Num::to_string).collect();
    let at = last.map_or(0, |i| (i as usize).min(cells.len().saturating_sub(1)));
    // Widen the window around the last cell while the next cell on either side fits.
    let (mut from, mut to) = (at, at + 1);
    let mut used = text.get(at).map_or(0, |t| text::width(t));
    loop {
        let mut grew = false;
        for right in [true, false] {
            let next = if right {
                (to < text.len()).then_some(to)
            } else {
                from.checked_sub(1)
            };
            if let Some(i) = next
                && used + 2 + text::width(&text[i]) <= room
            {
                used += 2 + text::width(&text[i]);
                if right {
                    to += 1
                } else {
                    from -= 1
                }
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let g = &theme.glyphs;
    let open = if from == 0 { "[" } else { g.ellipsis };
    let close = if to == text.len() { "]" } else { g.ellipsis };
    let mut spans = vec![Span::raw("  "), Span::styled(open, theme.dim())];
    for (i, t) in text.iter().enumerate().take(to).skip(from) {
        if i > from {
            spans.push(Span::styled(", ", theme.dim()));
        }
        let style = if Some(i as u32) == last {
            theme.selected()
        } else {
            theme.name()
        };
        spans.push(Span::styled(t.clone(), style));
    }
    spans.push(Span::styled(close, theme.dim()));
    Line::from(spans)
}

/// The object's rolling sparkline under its card, once it has moved:
/// "  depth ▁▂▅███▅▂▁ over 6.4s" (the newest bucket at the right).
fn spark_line(world: &World, o: &Object, width: usize, theme: &Theme) -> Option<Line<'static>> {
    let (_, scale) = spark::metric(o)?;
    if o.spark.peak() == 0 {
        return None;
    }
    let label = format!("  {} ", spark::metric_name(o));
    let cells = width
        .saturating_sub(text::width(&label) + 1)
        .min(spark::SAMPLES);
    if cells < 4 {
        return None;
    }
    let max = scale.unwrap_or(0).max(o.spark.peak());
    let bars: String = o
        .spark
        .series(world.t, cells)
        .iter()
        .map(|v| theme.glyphs.spark_cell(*v, max))
        .collect();
    Some(Line::from(vec![
        Span::styled(label, theme.dim()),
        Span::styled(bars, theme.spark()),
    ]))
}

/// Lines all the cards take (with a blank line between), counting no further than `cap`.
pub fn height_wanted(world: &World, width: usize, theme: &Theme, cap: usize) -> usize {
    let mut n = 0;
    for o in &world.objects {
        n += card(world, o, width, theme).len() + usize::from(n > 0);
        if n >= cap {
            return cap;
        }
    }
    n
}

/// The first object to show for a scroll of `wanted`: the first of all where they all fit
/// (paging there moves nothing), never past the last.
fn first_shown(world: &World, wanted: usize, width: usize, height: usize, theme: &Theme) -> usize {
    let total = world.objects.len();
    let first = wanted.min(total.saturating_sub(1));
    if first == 0 {
        return 0;
    }
    // Every card, each after the first a blank line apart, within the panel's height.
    let mut rows = total.saturating_sub(1);
    for o in &world.objects {
        rows += card(world, o, width, theme).len();
        if rows > height {
            return first;
        }
    }
    0
}

pub fn render(frame: &mut Frame, area: Rect, screen: &Screen) {
    let theme = &screen.theme;
    let g = &theme.glyphs;
    let world = screen.world;
    let inner = layout::inner(area);
    let total = world.objects.len();
    let width = inner.width as usize;
    let height = inner.height as usize;
    let first = first_shown(world, screen.view.object_scroll, width, height, theme);

    let mut lines: Vec<Line> = Vec::new();
    let mut shown = 0;
    for o in world.objects.iter().skip(first) {
        let card = card(world, o, width, theme);
        let gap = usize::from(!lines.is_empty());
        if lines.len() + gap + card.len() > height && shown > 0 {
            break;
        }
        if gap == 1 {
            lines.push(Line::raw(""));
        }
        lines.extend(card);
        shown += 1;
        if lines.len() >= height {
            break;
        }
    }

    let mut block = panel(" Objects ", theme);
    if total > shown && shown > 0 {
        let range = format!(" {}{}{} of {} ", first + 1, g.range, first + shown, total);
        block = block.title_top(Line::styled(range, theme.dim()).right_aligned());
        let below = total - first - shown;
        if below > 0 {
            block = block.title_bottom(
                Line::styled(format!(" {} {below} more ", g.more_down), theme.dim())
                    .right_aligned(),
            );
        }
        if first > 0 {
            block = block.title_bottom(
                Line::styled(format!(" {} {first} above ", g.more_up), theme.dim()).left_aligned(),
            );
        }
    }
    frame.render_widget(block, area);
    if total == 0 {
        lines.push(Line::styled(" no objects", theme.dim()));
    }
    super::put::lines(frame, inner, lines, Style::default());
}
