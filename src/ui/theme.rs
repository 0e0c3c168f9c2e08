//! The theme: every colour and every glyph the UI draws. Widgets ask it for a style or a
//! symbol by role and never name a colour or a box-drawing character themselves.
//!
//! Two glyph sets (UTF-8 and ASCII) and two palettes (colour and none). Every distinction a
//! colour makes is also made by a glyph or a word, so a monochrome screencast and `NO_COLOR`
//! lose nothing.

use crate::model::Phase;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// The symbols of one character set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glyphs {
    pub utf8: bool,
    pub sep: &'static str,
    pub dash: &'static str,
    pub ellipsis: &'static str,
    /// Between the ends of a range: "1–4 of 9".
    pub range: &'static str,
    /// Between waiters of one queue, in the order they wait.
    pub then: &'static str,
    pub selected: &'static str,
    /// Before the row that stands for a thread's folded tasks, and before the count of
    /// tasks shown (`t` folds and shows them).
    pub folded: &'static str,
    pub unfolded: &'static str,
    pub deadlock: &'static str,
    pub running: &'static str,
    pub paused: &'static str,
    pub finished: &'static str,
    pub times: &'static str,
    pub light: &'static str,
    pub light_red: &'static str,
    pub light_green: &'static str,
    pub gauge_full: &'static str,
    pub gauge_empty: &'static str,
    pub say: &'static str,
    pub ok: &'static str,
    pub wrong: &'static str,
    pub more_up: &'static str,
    pub more_down: &'static str,
    /// Timeline marks of a wake-up: the woken worker's and its waker's, same column.
    pub woke: &'static str,
    pub waker: &'static str,
    /// A cycle in the wait-for graph.
    pub cycle: &'static str,
    /// "waits for" and "held by" in the wait-for graph.
    pub arrow: &'static str,
    /// Sparkline levels, lowest first.
    pub spark: [&'static str; 8],
    pub border: border::Set<'static>,
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Glyphs {
    pub const UTF8: Glyphs = Glyphs {
        utf8: true,
        sep: " · ",
        dash: " — ",
        ellipsis: "…",
        range: "–",
        then: " → ",
        selected: "▸",
        folded: "▹",
        unfolded: "▿",
        deadlock: "!",
        running: "▶",
        paused: "⏸",
        finished: "■",
        times: "×",
        light: "●",
        light_red: "●",
        light_green: "●",
        gauge_full: "█",
        gauge_empty: "░",
        say: "»",
        ok: "✓",
        wrong: "✗",
        more_up: "↑",
        more_down: "↓",
        woke: "◆",
        waker: "◇",
        cycle: "⟲",
        arrow: "──▶",
        spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        border: border::PLAIN,
    };

    pub const ASCII: Glyphs = Glyphs {
        utf8: false,
        sep: " | ",
        dash: " - ",
        ellipsis: "~",
        range: "-",
        then: " > ",
        selected: ">",
        folded: "+",
        unfolded: "-",
        deadlock: "!",
        running: ">",
        paused: "||",
        finished: "#",
        times: "x",
        light: "o",
        light_red: "(R)",
        light_green: "(G)",
        gauge_full: "#",
        gauge_empty: ".",
        say: ">>",
        ok: "OK",
        wrong: "!!",
        more_up: "^",
        more_down: "v",
        woke: "*",
        waker: "o",
        cycle: "@",
        arrow: "-->",
        spark: ["_", "_", ".", ".", "-", "=", "#", "#"],
        border: ASCII_BORDER,
    };

    /// A sparkline cell for `v` on a scale up to `max`: the lowest level only for zero.
    pub fn spark_cell(&self, v: u32, max: u32) -> &'static str {
        if v == 0 {
            return self.spark[0];
        }
        let max = max.max(1) as u64;
        let i = (v.min(max as u32) as u64 * 7).div_ceil(max) as usize;
        self.spark[i.clamp(1, 7)]
    }

    /// One timeline cell. Every phase has its own glyph, so lanes read without colour.
    pub fn phase(&self, p: Phase) -> &'static str {
        match (self.utf8, p) {
            (_, Phase::Idle) => " ",
            (true, Phase::Sleeping) => "·",
            (true, Phase::Running) => "▄",
            (true, Phase::Critical) => "█",
            (true, Phase::Waiting) => "░",
            (true, Phase::Blocked) => "▒",
            (true, Phase::Done) => "─",
            (true, Phase::Failed) => "✗",
            (false, Phase::Sleeping) => ".",
            (false, Phase::Running) => "-",
            (false, Phase::Critical) => "#",
            (false, Phase::Waiting) => "~",
            (false, Phase::Blocked) => "x",
            (false, Phase::Done) => "_",
            (false, Phase::Failed) => "X",
            (true, Phase::Parked) => "┈",
            (false, Phase::Parked) => ":",
            (true, Phase::Killed) => "†",
            (false, Phase::Killed) => "K",
        }
    }

    /// One timeline cell of a lane that holds a lock or a slot meanwhile: a sleep, a wait or
    /// a block while holding has a glyph of its own (the lesson of a lock held across a
    /// sleep is that the others queue behind a lane that does nothing), running while
    /// holding is the critical section's. Other phases hold nothing.
    pub fn held(&self, p: Phase) -> &'static str {
        match (self.utf8, p) {
            (_, Phase::Running | Phase::Critical) => self.phase(Phase::Critical),
            (true, Phase::Sleeping) => "▀",
            (true, Phase::Waiting) => "▚",
            (true, Phase::Blocked) => "▓",
            (false, Phase::Sleeping) => "=",
            (false, Phase::Waiting) => "%",
            (false, Phase::Blocked) => "&",
            (_, other) => self.phase(other),
        }
    }

    /// The legend's sign for holding while not running: the held glyphs of a sleep, a wait
    /// and a block.
    pub fn held_legend(&self) -> &'static str {
        if self.utf8 { "▀▚▓" } else { "=%&" }
    }
}

/// The phases in the order the legend lists them.
pub const LEGEND: [(Phase, &str); 7] = [
    (Phase::Running, "running"),
    (Phase::Critical, "holding"),
    (Phase::Sleeping, "sleeping"),
    (Phase::Waiting, "waiting"),
    (Phase::Blocked, "blocked"),
    (Phase::Done, "done"),
    (Phase::Failed, "failed"),
];

/// Colours (or none) and glyphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub glyphs: Glyphs,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::new(true, true)
    }
}

impl Theme {
    pub const fn new(color: bool, utf8: bool) -> Theme {
        Theme {
            color,
            glyphs: if utf8 { Glyphs::UTF8 } else { Glyphs::ASCII },
        }
    }

    /// No colour, UTF-8 glyphs: what the snapshot tests draw with, so they are stable.
    pub const fn plain() -> Theme {
        Theme::new(false, true)
    }

    /// No colour, ASCII glyphs: the most conservative terminal.
    pub const fn ascii() -> Theme {
        Theme::new(false, false)
    }

    /// From the environment: `NO_COLOR` (set and not empty) turns colour off; the locale
    /// (`LC_ALL`, then `LC_CTYPE`, then `LANG`, the first one set) decides UTF-8 vs ASCII.
    pub fn detect() -> Theme {
        Theme::from_vars(|k| std::env::var(k).ok())
    }

    /// `detect` over any source of variables (testable without touching the environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Theme {
        let color = var("NO_COLOR").is_none_or(|v| v.is_empty());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| var(k).filter(|v| !v.is_empty()));
        let utf8 = match locale {
            // No locale at all is usual in containers whose terminal is UTF-8 anyway.
            None => true,
            Some(l) => {
                let l = l.to_ascii_lowercase();
                l.contains("utf-8") || l.contains("utf8")
            }
        };
        Theme::new(color, utf8)
    }

    /// Words from elsewhere (the model's descriptions, the app's key names) in this theme's
    /// character set: with ASCII glyphs, arrows and the like become plain letters.
    pub fn words<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, str> {
        if self.glyphs.utf8 || s.is_ascii() {
            return std::borrow::Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match c {
                '→' => out.push_str("->"),
                '←' => out.push_str("<-"),
                '↑' => out.push_str("up"),
                '↓' => out.push_str("down"),
                '×' => out.push('x'),
                '…' => out.push_str("..."),
                '—' | '–' => out.push('-'),
                '·' => out.push('|'),
                c => out.push(c),
            }
        }
        std::borrow::Cow::Owned(out)
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn text(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn heading(&self) -> Style {
        self.bold().patch(self.fg(Color::Cyan))
    }

    pub fn border(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn border_focus(&self) -> Style {
        self.fg(Color::Gray)
    }

    pub fn status_bar(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::Blue)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn flash(&self) -> Style {
        self.bold().patch(self.fg(Color::Yellow))
    }

    /// The selected lane or scenario.
    pub fn selected(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Rgb(40, 44, 60))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn name(&self) -> Style {
        self.bold()
    }

    pub fn key(&self) -> Style {
        self.bold().patch(self.fg(Color::Yellow))
    }

    pub fn phase(&self, p: Phase) -> Style {
        match p {
            Phase::Idle => Style::new(),
            Phase::Sleeping => self.fg(Color::Blue),
            Phase::Running => self.fg(Color::Green),
            Phase::Critical => self.fg(Color::Yellow),
            Phase::Waiting => self.fg(Color::Cyan),
            Phase::Blocked => self.fg(Color::Red),
            Phase::Done => self.dim(),
            Phase::Failed => self.bold().patch(self.fg(Color::LightRed)),
            Phase::Parked => self.dim(),
            Phase::Killed => self.bold().patch(self.fg(Color::Magenta)),
        }
    }

    /// A cell of phase `p` while holding: the phase's colour on the holding colour's shade,
    /// so a sleep while holding reads as holding at a glance (the glyph says it without
    /// colour).
    pub fn held(&self, p: Phase) -> Style {
        match p {
            Phase::Running | Phase::Critical => self.phase(Phase::Critical),
            Phase::Sleeping | Phase::Waiting | Phase::Blocked if self.color => {
                self.phase(p).bg(Color::Rgb(96, 80, 0))
            }
            other => self.phase(other),
        }
    }

    /// The words of a lane's state take the colour of its phase.
    pub fn state(&self, p: Phase) -> Style {
        match p {
            Phase::Idle | Phase::Done => self.dim(),
            other => self.phase(other),
        }
    }

    pub fn deadlock(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            self.bold().add_modifier(Modifier::REVERSED)
        }
    }

    /// The marks of a wake-up and the object named over the wait it ended.
    pub fn cause(&self) -> Style {
        self.bold().patch(self.fg(Color::LightMagenta))
    }

    pub fn spark(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// The caption line: plain words on a quiet bar.
    pub fn caption(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn deadlock_mark(&self) -> Style {
        self.bold().patch(self.fg(Color::LightRed))
    }

    pub fn light(&self, on: bool) -> Style {
        self.bold().patch(self.fg(if on {
            Color::LightGreen
        } else {
            Color::LightRed
        }))
    }

    pub fn gauge(&self, full: bool) -> Style {
        if full {
            self.fg(Color::Red)
        } else {
            self.fg(Color::Green)
        }
    }

    pub fn say(&self) -> Style {
        self.bold().patch(self.fg(Color::White))
    }

    pub fn outcome(&self, ok: bool) -> Style {
        let s = self.bold().patch(self.fg(if ok {
            Color::LightGreen
        } else {
            Color::LightRed
        }));
        if ok {
            s
        } else {
            s.add_modifier(Modifier::REVERSED)
        }
    }

    pub fn problem(&self) -> Style {
        self.fg(Color::LightRed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn no_color_turns_colour_off_but_empty_does_not() {
        assert!(!Theme::from_vars(vars(&[("NO_COLOR", "1")])).color);
        assert!(Theme::from_vars(vars(&[("NO_COLOR", "")])).color);
        assert!(Theme::from_vars(vars(&[])).color);
    }

    #[test]
    fn locale_picks_the_glyph_set() {
        assert!(
            Theme::from_vars(vars(&[("LANG", "en_US.UTF-8")]))
                .glyphs
                .utf8
        );
        assert!(!Theme::from_vars(vars(&[("LANG", "C")])).glyphs.utf8);
        assert!(
            !Theme::from_vars(vars(&[("LC_ALL", "POSIX"), ("LANG", "en_US.UTF-8")]))
                .glyphs
                .utf8
        );
    }

    #[test]
    fn ascii_words_replace_arrows() {
        let t = Theme::ascii();
        assert_eq!(t.words("put 1 → q"), "put 1 -> q");
        assert_eq!(t.words("↑↓"), "updown");
        assert_eq!(Theme::plain().words("put 1 → q"), "put 1 → q");
    }

    #[test]
    fn holding_while_not_running_has_its_own_glyph_in_both_sets() {
        use std::collections::HashSet;
        for g in [Glyphs::UTF8, Glyphs::ASCII] {
            let plain = Phase::ALL.iter().map(|p| g.phase(*p));
            let held = [Phase::Sleeping, Phase::Waiting, Phase::Blocked].map(|p| g.held(p));
            let set: HashSet<_> = plain.chain(held).collect();
            assert_eq!(set.len(), Phase::ALL.len() + 3);
            assert_eq!(g.held(Phase::Running), g.phase(Phase::Critical));
            assert_eq!(g.held_legend(), held.concat());
        }
    }

    #[test]
    fn every_phase_has_its_own_glyph_in_both_sets() {
        use std::collections::HashSet;
        for g in [Glyphs::UTF8, Glyphs::ASCII] {
            let all = Phase::ALL;
            let set: HashSet<_> = all.iter().map(|p| g.phase(*p)).collect();
            assert_eq!(set.len(), all.len());
        }
    }
}
