//! Which actions work now: what the source's [`Controls`](crate::source::Controls) offer,
//! and side by side only what applies to both runs; and, for the flash line, why an action
//! does nothing. The handler, the footer and the help all ask here, so they cannot disagree.

use super::App;
use crate::keys::Action;

impl App {
    /// Whether `action` does something now: what the source offers, and side by side only
    /// what applies to both runs. The picker's keys are the table's to decide.
    pub(super) fn offers(&self, action: Action) -> bool {
        use Action::*;
        if self.picker.is_some() {
            return true;
        }
        let c = self.controls();
        let offered = match action {
            Faster | Slower => c.speed,
            ToggleStep | Step | NextReady => c.step,
            Replay => c.restart || self.again.is_some(),
            Restart | ToggleVariant | ParamUp | ParamDown | NextParam | NextScenario
            | PrevScenario | Picker | ToggleSplit => c.restart,
            _ => true,
        };
        offered && (!self.split || works_side_by_side(action))
    }

    /// Why `action` does nothing now, for the flash line.
    pub(super) fn refusal(&self) -> &'static str {
        if self.split {
            "side by side: press b to return to one version first"
        } else {
            "runs on its own: no speed, versions, restarts"
        }
    }
}

/// The actions that make sense while two versions run side by side.
fn works_side_by_side(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        Quit | Back
            | ToggleHelp
            | TogglePause
            | Faster
            | Slower
            | Restart
            | Replay
            | ToggleSplit
            | ToggleCaptions
            | MoreExplanation
            | Zoom
            | NextScenario
            | PrevScenario
            | Picker
            | Up
            | Down
            | Record
            | Suspend
    )
}
