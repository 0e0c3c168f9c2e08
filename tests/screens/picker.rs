//! The scenario picker, the first screen of `threadlanes`.

use crate::fixtures::*;
use crate::state::Hint;
use crate::{assert_screen, draw_text};
use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};
use threadlanes::ui::{self, Picker, Theme};

/// The picker over the fixtures' scenarios with the `selected`th chosen: a shot of the
/// first screen, as [`crate::Shot`] is of the run screen.
pub struct PickerShot {
    pub selected: usize,
}

impl PickerShot {
    pub fn draw_into(&self, term: &mut Terminal<TestBackend>) {
        term.draw(|f| self.draw(f)).expect("draw");
    }

    /// At 100×30, as text.
    pub fn text(&self) -> String {
        draw_text(100, 30, |f| self.draw(f))
    }

    fn draw(&self, f: &mut Frame) {
        let infos = [LOCK, SEMAPHORE, LIGHT, PRODCONS, DEADLOCK];
        let picker = Picker {
            scenarios: &infos,
            selected: self.selected,
            theme: Theme::plain(),
        };
        let hints: Vec<Hint> = [("↑↓", "choose"), ("enter", "run"), ("q", "quit")]
            .into_iter()
            .map(|(key, what)| Hint {
                key,
                what: what.into(),
            })
            .collect();
        ui::draw_picker(f, &picker, &hints);
    }
}

#[test]
fn picker_screen() {
    assert_screen!(PickerShot { selected: 3 });
}
