//! Key bindings as data: the handler matches these, and the footer and help screen print the
//! same list, so what is shown is what works.

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
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Picker,
    Run,
    Both,
}

pub struct Binding {
    pub codes: &'static [KeyCode],
    /// How the footer names the key.
    pub label: &'static str,
    pub help: &'static str,
    pub action: Action,
    pub scope: Scope,
}

impl Binding {
    pub fn matches(&self, key: &KeyEvent) -> bool {
        self.codes.contains(&key.code)
    }
}

use Action as A;
use KeyCode as K;

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    Binding { codes: &[K::Char(' ')], label: "space", help: "pause / resume", action: A::TogglePause, scope: Scope::Run },
    Binding { codes: &[K::Char('+'), K::Char('=')], label: "+", help: "faster", action: A::Faster, scope: Scope::Run },
    Binding { codes: &[K::Char('-'), K::Char('_')], label: "-", help: "slower", action: A::Slower, scope: Scope::Run },
    Binding { codes: &[K::Char('v')], label: "v", help: "flip the version (restarts)", action: A::ToggleVariant, scope: Scope::Run },
    Binding { codes: &[K::Char(']')], label: "]", help: "raise the parameter (restarts)", action: A::ParamUp, scope: Scope::Run },
    Binding { codes: &[K::Char('[')], label: "[", help: "lower the parameter (restarts)", action: A::ParamDown, scope: Scope::Run },
    Binding { codes: &[K::Char('\\')], label: "\\", help: "pick the parameter [ ] change", action: A::NextParam, scope: Scope::Run },
    Binding { codes: &[K::Char('s')], label: "s", help: "step mode: you pick who goes", action: A::ToggleStep, scope: Scope::Run },
    Binding { codes: &[K::Char('.')], label: ".", help: "step: selected does one op", action: A::Step, scope: Scope::Run },
    Binding { codes: &[K::Tab], label: "tab", help: "step: select next that can go", action: A::NextReady, scope: Scope::Run },
    Binding { codes: &[K::Left], label: "←", help: "scrub back (paused or step)", action: A::Left, scope: Scope::Run },
    Binding { codes: &[K::Right], label: "→", help: "scrub forward / step", action: A::Right, scope: Scope::Run },
    Binding { codes: &[K::Char('r')], label: "r", help: "restart (a fresh seed)", action: A::Restart, scope: Scope::Run },
    Binding { codes: &[K::Char('R')], label: "R", help: "replay the same seed", action: A::Replay, scope: Scope::Run },
    Binding { codes: &[K::Char('n')], label: "n", help: "next scenario", action: A::NextScenario, scope: Scope::Run },
    Binding { codes: &[K::Char('p')], label: "p", help: "previous scenario", action: A::PrevScenario, scope: Scope::Run },
    Binding { codes: &[K::Up, K::Char('k')], label: "↑", help: "lane (scenario) above", action: A::Up, scope: Scope::Both },
    Binding { codes: &[K::Down, K::Char('j')], label: "↓", help: "lane (scenario) below", action: A::Down, scope: Scope::Both },
    Binding { codes: &[K::PageUp], label: "pgup", help: "objects: previous page", action: A::PageUp, scope: Scope::Run },
    Binding { codes: &[K::PageDown], label: "pgdn", help: "objects: next page", action: A::PageDown, scope: Scope::Run },
    Binding { codes: &[K::Enter], label: "enter", help: "lane details / run scenario", action: A::Enter, scope: Scope::Both },
    Binding { codes: &[K::Char('g')], label: "g", help: "wait-for graph (who waits for whom)", action: A::ToggleGraph, scope: Scope::Run },
    Binding { codes: &[K::Char('b')], label: "b", help: "both versions side by side", action: A::ToggleSplit, scope: Scope::Run },
    Binding { codes: &[K::Char('c')], label: "c", help: "caption line on / off", action: A::ToggleCaptions, scope: Scope::Run },
    Binding { codes: &[K::Char('l')], label: "l", help: "back to the scenario list", action: A::Picker, scope: Scope::Run },
    Binding { codes: &[K::Char('?'), K::F(1)], label: "?", help: "help: every key", action: A::ToggleHelp, scope: Scope::Both },
    Binding { codes: &[K::Char('q')], label: "q", help: "quit", action: A::Quit, scope: Scope::Both },
    Binding { codes: &[K::Esc], label: "esc", help: "close overlay, or quit", action: A::Back, scope: Scope::Both },
];

/// The bindings that apply in the picker (`picker`) or on the run screen.
pub fn bindings(picker: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| match b.scope {
        Scope::Both => true,
        Scope::Picker => picker,
        Scope::Run => !picker,
    })
}

/// The action a key asks for in the given screen, if any. Ctrl-C always quits.
pub fn action_for(key: &KeyEvent, picker: bool) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, K::Char('c') | K::Char('q')).then_some(A::Quit);
    }
    bindings(picker).find(|b| b.matches(key)).map(|b| b.action)
}
