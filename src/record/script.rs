//! `record --keys`: key presses at recording times, `"2s:space 3s:space 5s:s 5.5s:."`.
//!
//! A script is tokens separated by spaces, each `TIME:KEY`. TIME is seconds (`2s`, `5.5s`,
//! `2`) or milliseconds (`500ms`), never going back. KEY is a name (`space`, `enter`, `tab`,
//! `esc`, `left`, `right`, `up`, `down`, `pgup`, `pgdn`) or one character (`s`, `.`, `+`, `v`,
//! `r`...). A bad token is refused with its position and what is wrong. Parsing only: what a
//! key does is the app's business (`keys::action_for`).

use crate::keys::{self, Action};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key press at `ms` milliseconds of recording time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAt {
    pub ms: u64,
    /// As written in the script, for messages.
    pub name: String,
    pub action: Action,
}

/// Named keys and their codes.
const NAMES: &[(&str, KeyCode)] = &[
    ("space", KeyCode::Char(' ')),
    ("enter", KeyCode::Enter),
    ("tab", KeyCode::Tab),
    ("esc", KeyCode::Esc),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
];

/// What a recording cannot do, and why (the rest of the run screen's keys work).
fn unsupported(a: Action) -> Option<&'static str> {
    match a {
        Action::Picker => Some("the scenario list is not recorded; record one scenario"),
        Action::ToggleSplit => {
            Some("side by side is not recorded; record each version with --variant")
        }
        Action::NextReady => Some(
            "in a recording, . (or right) does the next operation of the seeded schedule and selects its lane",
        ),
        _ => None,
    }
}

/// Parses a script; the error names the bad token, its position and what is wrong.
pub fn parse(script: &str) -> Result<Vec<KeyAt>, String> {
    let mut out: Vec<KeyAt> = Vec::new();
    for (col, tok) in split(script) {
        let n = out.len() + 1;
        let at = || format!("--keys: token {n} \"{tok}\" (column {})", col + 1);
        let (time, key) = tok
            .split_once(':')
            .ok_or_else(|| format!("{}: expected TIME:KEY, e.g. 2s:space", at()))?;
        let ms = time_ms(time).ok_or_else(|| {
            format!(
                "{}: bad time \"{time}\" (use seconds like 2s or 1.5s, or milliseconds like 500ms)",
                at()
            )
        })?;
        if let Some(prev) = out.last()
            && ms < prev.ms
        {
            return Err(format!(
                "{}: times must not go back ({time} comes after {}ms)",
                at(),
                prev.ms
            ));
        }
        let code = key_code(key).ok_or_else(|| {
            let names: Vec<_> = NAMES.iter().map(|(n, _)| *n).collect();
            format!(
                "{}: unknown key \"{key}\" (use one character, or one of: {})",
                at(),
                names.join(", ")
            )
        })?;
        let action = keys::action_for(&KeyEvent::new(code, KeyModifiers::NONE), false)
            .ok_or_else(|| format!("{}: key \"{key}\" does nothing on the run screen", at()))?;
        if let Some(why) = unsupported(action) {
            return Err(format!("{}: not supported in recordings: {why}", at()));
        }
        out.push(KeyAt {
            ms,
            name: key.to_string(),
            action,
        });
    }
    Ok(out)
}

/// Tokens with the byte offset where each starts.
fn split(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = s;
    let mut offset = 0;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| !c.is_whitespace())?;
        let tail = &rest[start..];
        let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let tok = &tail[..len];
        let at = offset + start;
        offset = at + len;
        rest = &tail[len..];
        Some((at, tok))
    })
}

fn time_ms(s: &str) -> Option<u64> {
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (s, 1000.0)
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let ms = v * scale;
    (ms.is_finite() && ms <= 86_400_000.0).then(|| ms.round() as u64)
}

fn key_code(k: &str) -> Option<KeyCode> {
    if let Some((_, c)) = NAMES.iter().find(|(n, _)| *n == k) {
        return Some(*c);
    }
    let mut cs = k.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Some(KeyCode::Char(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_parses_to_actions_at_times() {
        let k = parse("2s:space 3s:space 5s:s 5.5s:. 6000ms:right  7:+").unwrap();
        let ms: Vec<u64> = k.iter().map(|k| k.ms).collect();
        assert_eq!(ms, [2000, 3000, 5000, 5500, 6000, 7000]);
        assert_eq!(k[0].action, Action::TogglePause);
        assert_eq!(k[2].action, Action::ToggleStep);
        assert_eq!(k[3].action, Action::Step);
        assert_eq!(k[5].action, Action::Faster);
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn a_bad_token_is_named_with_its_position() {
        let e = parse("2s:space 3x:s").unwrap_err();
        assert!(e.contains("token 2 \"3x:s\" (column 10)"), "{e}");
        assert!(e.contains("bad time \"3x\""), "{e}");
        let e = parse("1s:space 2s:bogus").unwrap_err();
        assert!(e.contains("unknown key \"bogus\""), "{e}");
        let e = parse("1s").unwrap_err();
        assert!(e.contains("expected TIME:KEY"), "{e}");
        let e = parse("3s:s 2s:s").unwrap_err();
        assert!(e.contains("must not go back"), "{e}");
        let e = parse("1s:tab").unwrap_err();
        assert!(e.contains("not supported in recordings"), "{e}");
        let e = parse("1s:y").unwrap_err();
        assert!(e.contains("does nothing"), "{e}");
        // z zooms the timelines: a screencast may show a whole run's shape.
        assert_eq!(parse("1s:z").unwrap()[0].action, Action::Zoom);
    }
}
