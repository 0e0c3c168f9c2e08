//! Where each panel goes. Pure arithmetic on `Rect`s: every subtraction saturates and every
//! area lies inside the one it was cut from, so no terminal size can make a panel panic.

use ratatui::layout::Rect;

/// The smallest terminal the run screen and the picker are drawn in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Width of the right column (objects over explanation) on a screen `width` wide.
pub fn right_width(width: u16) -> u16 {
    (width as u32 * 34 / 100).clamp(30, 70) as u16
}

/// The objects panel's least height, borders included (one card and a gap).
const MIN_OBJECTS: u16 = 6;

/// The run screen's panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunAreas {
    pub status: Rect,
    /// The deadlock banner, when there is one.
    pub banner: Option<Rect>,
    pub lanes: Rect,
    pub objects: Rect,
    pub log: Rect,
    pub explain: Rect,
    pub footer: Rect,
    /// The caption line, when captions are on (the run screen places it).
    pub caption: Option<Rect>,
}

/// A row of `area` (clamped inside it).
pub fn row(area: Rect, y: u16) -> Rect {
    if y >= area.height {
        return Rect::new(area.x, area.y.saturating_add(area.height), area.width, 0);
    }
    Rect::new(area.x, area.y + y, area.width, 1)
}

/// `area` split at `w` columns from the left: (left, right).
pub fn split_x(area: Rect, w: u16) -> (Rect, Rect) {
    let w = w.min(area.width);
    (
        Rect::new(area.x, area.y, w, area.height),
        Rect::new(area.x + w, area.y, area.width - w, area.height),
    )
}

/// `area` split at `h` rows from the top: (top, bottom).
pub fn split_y(area: Rect, h: u16) -> (Rect, Rect) {
    let h = h.min(area.height);
    (
        Rect::new(area.x, area.y, area.width, h),
        Rect::new(area.x, area.y + h, area.width, area.height - h),
    )
}

/// A box of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Inside of a bordered box.
pub fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1).min(area.right()),
        area.y.saturating_add(1).min(area.bottom()),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// The heights the top panels would like, borders included.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    pub lanes: u16,
    pub objects: u16,
}

/// Lanes and log on the left, objects and explanation on the right; the right column grows
/// slower than the left so wide terminals give the timelines the room. Each column splits on
/// its own: the lanes take the height they want within bounds and leave the rest to the
/// log; the objects take theirs and leave the rest to the explanation, so a scenario with
/// few objects shows its explanation whole at 80×24.
pub fn run(area: Rect, banner: bool, want: Want) -> RunAreas {
    let (status, rest) = split_y(area, 1);
    let (body, footer) = split_y(rest, rest.height.saturating_sub(1));
    let (banner, body) = if banner {
        let (b, body) = split_y(body, 1);
        (Some(b), body)
    } else {
        (None, body)
    };
    let (left, right) = split_x(body, body.width.saturating_sub(right_width(area.width)));
    let min_top = (body.height as u32 * 45 / 100) as u16;
    let max_top = body.height.saturating_sub(7).max(min_top);
    let (lanes, log) = split_y(left, want.lanes.clamp(min_top, max_top));
    let objects_h = want.objects.clamp(MIN_OBJECTS.min(max_top), max_top);
    let (objects, explain) = split_y(right, objects_h);
    RunAreas {
        status,
        banner,
        lanes,
        objects,
        log,
        explain,
        footer,
        caption: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_area_stays_inside_the_screen() {
        for w in 0..200u16 {
            for h in (0..80u16).step_by(3) {
                let screen = Rect::new(0, 0, w, h);
                for (banner, lanes, objects) in
                    [(false, 0, 0), (true, 40, 3), (false, u16::MAX, u16::MAX)]
                {
                    let a = run(screen, banner, Want { lanes, objects });
                    for r in [a.status, a.lanes, a.objects, a.log, a.explain, a.footer]
                        .into_iter()
                        .chain(a.banner)
                    {
                        assert_eq!(r.intersection(screen), r, "{w}x{h} {r:?}");
                    }
                }
            }
        }
    }
}
