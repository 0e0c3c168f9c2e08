//! The caption line (`c`; on by default in `record`): the model's words for the last
//! significant event, for screencasts watched without sound.

use super::{Theme, text};
use crate::model::World;
use crate::model::caption;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, world: &World, theme: &Theme) {
    let words = caption::caption(world).unwrap_or_else(|| "…".into());
    let s = format!(" {}", theme.words(&words));
    let s = text::pad(&s, area.width as usize, theme.glyphs.ellipsis);
    frame.render_widget(Paragraph::new(Line::styled(s, theme.caption())), area);
}
