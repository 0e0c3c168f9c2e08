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
    /// The description's page (`e`).
    pub page: usize,
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
            page: self.page,
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
    assert_screen!(PickerShot {
        selected: 3,
        page: 0
    });
}

/// At 80×24 a long description does not fit beside the list: it is paged as the run
/// screen's explanation is, the border says so, and `e` turns to what did not fit.
#[test]
fn a_long_description_is_paged_at_80x24() {
    let infos = threadlanes::scenarios::infos();
    let bank = infos.iter().position(|i| i.name == "bank").expect("bank");
    let shot = |page| {
        draw_text(80, 24, |f| {
            let picker = Picker {
                scenarios: &infos,
                selected: bank,
                page,
                theme: Theme::plain(),
            };
            ui::draw_picker(f, &picker, &[]);
        })
    };
    let first = shot(0);
    assert!(first.contains("1/2 · e more"), "{first}");
    let second = shot(1);
    assert!(second.contains("2/2 · e first"), "{second}");
    let last_line = first
        .lines()
        .rev()
        .find(|l| l.contains("││"))
        .unwrap_or_default()
        .to_string();
    assert!(!second.contains(&last_line), "page 2 goes on from page 1");
}
