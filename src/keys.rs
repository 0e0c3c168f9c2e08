//! Key bindings as data: each binding is its keys (with their modifiers), the action they ask
//! for, where they apply and the words the help gives them. The handler ([`action_for`]), the
//! footer and the help overlay (src/app/hints.rs) all read this one table, so what is shown is
//! what works. No code elsewhere matches on a key's label or code.
//!
//! This module maps keys to actions and nothing more: what an action does, and whether it
//! applies now, is the app's business.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a user can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    Faster,
    Slower,
    NextScenario,
    PrevScenario,
    Restart,
    ToggleVariant,
    ParamUp,
    ParamDown,
    NextParam,
    Up,
    Down,
    PageUp,
    PageDown,
    Enter,
    ToggleHelp,
    /// Back to the scenario picker.
    Picker,
    /// Esc: closes an overlay if one is open, else quits.
    Back,
    /// Step mode on/off.
    ToggleStep,
    /// Step mode: the selected worker does its next operation.
    Step,
    /// Select the next worker that can go (step mode).
    NextReady,
    /// Scrub back one event (paused or step mode).
    Left,
    /// Scrub forward one event; live, in step mode: a step.
    Right,
    /// Restart with the same seed, seeded.
    Replay,
    /// The wait-for graph in place of the log.
    ToggleGraph,
    /// The caption line.
    ToggleCaptions,
    /// Both versions of the scenario side by side.
    ToggleSplit,
    /// The explanation's next page, where it does not fit its panel (80×24).
    MoreExplanation,
    /// The selected thread's tasks folded into one summary row, or shown again.
    ToggleTasks,
    /// The timelines' time a cell: 100 ms, then longer, then back.
    Zoom,
    /// Ctrl-R: the screen written to a `.cast` file as it is drawn, on or off (the terminal
    /// loop does it: it owns the terminal's size).
    Record,
    /// Ctrl-Z: the terminal given back and the process stopped until `fg` (the terminal
    /// loop does it).
    Suspend,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The scenario picker only.
    Picker,
    /// The run screen only.
    Run,
    /// Both screens.
    Both,
}

/// One key: its code and the modifiers held with it (Shift aside: it is in the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// The key as the terminal reports it (for tests and scripts).
    pub fn event(self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the footer and the help name the key.
    pub label: &'static str,
    /// What the help says it does.
    pub help: &'static str,
    pub action: Action,
    pub scope: Scope,
}

impl Binding {
    /// Whether `key` is one of this binding's keys with exactly its modifiers: Ctrl-S is not
    /// `s`. Shift is left out, since it is already in the character (`R`, `?`, `+`).
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let mods = key.modifiers.difference(KeyModifiers::SHIFT);
        self.keys
            .iter()
            .any(|k| k.code == key.code && k.mods == mods)
    }
}

use Action as A;
use KeyCode as K;

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    Binding { keys: &[Key::ch(' ')], label: "space", help: "pause / resume", action: A::TogglePause, scope: Scope::Run },
    Binding { keys: &[Key::ch('+'), Key::ch('=')], label: "+", help: "faster", action: A::Faster, scope: Scope::Run },
    Binding { keys: &[Key::ch('-'), Key::ch('_')], label: "-", help: "slower", action: A::Slower, scope: Scope::Run },
    Binding { keys: &[Key::ch('v')], label: "v", help: "flip the version (restarts)", action: A::ToggleVariant, scope: Scope::Run },
    Binding { keys: &[Key::ch(']')], label: "]", help: "raise parameter (restarts)", action: A::ParamUp, scope: Scope::Run },
    Binding { keys: &[Key::ch('[')], label: "[", help: "lower parameter (restarts)", action: A::ParamDown, scope: Scope::Run },
    Binding { keys: &[Key::ch('\\')], label: "\\", help: "choose what [ ] change", action: A::NextParam, scope: Scope::Run },
    Binding { keys: &[Key::ch('s')], label: "s", help: "step mode: you pick who goes", action: A::ToggleStep, scope: Scope::Run },
    Binding { keys: &[Key::ch('.')], label: ".", help: "step: selected does one op", action: A::Step, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::Tab)], label: "tab", help: "select next that can go", action: A::NextReady, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::Left)], label: "←", help: "scrub back (paused or step)", action: A::Left, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::Right)], label: "→", help: "scrub forward / step", action: A::Right, scope: Scope::Run },
    Binding { keys: &[Key::ch('r')], label: "r", help: "restart (a fresh seed)", action: A::Restart, scope: Scope::Run },
    Binding { keys: &[Key::ch('R')], label: "R", help: "replay the same seed", action: A::Replay, scope: Scope::Run },
    Binding { keys: &[Key::ch('n')], label: "n", help: "next scenario", action: A::NextScenario, scope: Scope::Run },
    Binding { keys: &[Key::ch('p')], label: "p", help: "previous scenario", action: A::PrevScenario, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::Up), Key::ch('k')], label: "↑", help: "lane (scenario) above", action: A::Up, scope: Scope::Both },
    Binding { keys: &[Key::plain(K::Down), Key::ch('j')], label: "↓", help: "lane (scenario) below", action: A::Down, scope: Scope::Both },
    Binding { keys: &[Key::plain(K::PageUp)], label: "pgup", help: "objects: previous page", action: A::PageUp, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::PageDown)], label: "pgdn", help: "objects: next page", action: A::PageDown, scope: Scope::Run },
    Binding { keys: &[Key::plain(K::Enter)], label: "enter", help: "lane details / run scenario", action: A::Enter, scope: Scope::Both },
    Binding { keys: &[Key::ch('g')], label: "g", help: "who waits for whom (graph)", action: A::ToggleGraph, scope: Scope::Run },
    Binding { keys: &[Key::ch('b')], label: "b", help: "both versions side by side", action: A::ToggleSplit, scope: Scope::Run },
    Binding { keys: &[Key::ch('c')], label: "c", help: "caption line on / off", action: A::ToggleCaptions, scope: Scope::Run },
    Binding { keys: &[Key::ch('e')], label: "e", help: "explanation: next page", action: A::MoreExplanation, scope: Scope::Both },
    Binding { keys: &[Key::ch('t')], label: "t", help: "fold / show a thread's tasks", action: A::ToggleTasks, scope: Scope::Run },
    Binding { keys: &[Key::ch('z')], label: "z", help: "timelines: more time a cell", action: A::Zoom, scope: Scope::Run },
    Binding { keys: &[Key::ch('l')], label: "l", help: "back to the scenario list", action: A::Picker, scope: Scope::Run },
    Binding { keys: &[Key::ch('?'), Key::plain(K::F(1))], label: "?", help: "help: every key", action: A::ToggleHelp, scope: Scope::Both },
    Binding { keys: &[Key::ch('q')], label: "q", help: "quit", action: A::Quit, scope: Scope::Both },
    Binding { keys: &[Key::plain(K::Esc)], label: "esc", help: "close overlay, or quit", action: A::Back, scope: Scope::Both },
    Binding { keys: &[Key::ctrl('c'), Key::ctrl('q')], label: "ctrl-c", help: "quit", action: A::Quit, scope: Scope::Both },
    Binding { keys: &[Key::ctrl('r'), Key::ctrl('R')], label: "ctrl-r", help: "record screen to .cast file", action: A::Record, scope: Scope::Both },
    Binding { keys: &[Key::ctrl('z')], label: "ctrl-z", help: "suspend (fg comes back)", action: A::Suspend, scope: Scope::Both },
];

/// The bindings that apply in the picker (`picker`) or on the run screen.
pub fn bindings(picker: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| match b.scope {
        Scope::Both => true,
        Scope::Picker => picker,
        Scope::Run => !picker,
    })
}

/// The bindings of `action` on the given screen, in table order.
pub fn bindings_of(action: Action, picker: bool) -> impl Iterator<Item = &'static Binding> {
    bindings(picker).filter(move |b| b.action == action)
}

/// The action a key asks for on the given screen, if any.
pub fn action_for(key: &KeyEvent, picker: bool) -> Option<Action> {
    bindings(picker).find(|b| b.matches(key)).map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_are_part_of_the_key() {
        let ctrl = |c| KeyEvent::new(K::Char(c), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl('s'), false), None, "ctrl-s is not s");
        assert_eq!(action_for(&ctrl('c'), false), Some(A::Quit));
        assert_eq!(action_for(&ctrl('c'), true), Some(A::Quit));
        assert_eq!(action_for(&ctrl('r'), false), Some(A::Record));
        let shifted = KeyEvent::new(K::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&shifted, false), Some(A::Replay));
    }

    #[test]
    fn no_key_is_bound_twice_on_one_screen() {
        for picker in [false, true] {
            let all: Vec<Key> = bindings(picker)
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, k) in all.iter().enumerate() {
                assert!(!all[i + 1..].contains(k), "{k:?} bound twice");
            }
        }
    }
}
