//! Small text helpers shared by the panels: display width, truncation with an ellipsis,
//! joining names to fit a width. No styling decisions here.

use ratatui::text::Span;

/// Display width of a string in terminal cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to at most `w` cells, ending in `ellipsis` when cut.
pub fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let ew = width(ellipsis);
    if w <= ew {
        return s.chars().take(w).collect();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut buf));
        if used + cw > w - ew {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push_str(ellipsis);
    out
}

/// `s` cut to at most `w` cells at the end of a word, ending in `ellipsis` when cut ("A
/// lock held across…", not "A lock held acr…"); a first word too long is cut as `fit` cuts.
pub fn fit_words(s: &str, w: usize, ellipsis: &str) -> String {
    let cut = fit(s, w, ellipsis);
    if cut == s {
        return cut;
    }
    let kept = cut.strip_suffix(ellipsis).unwrap_or(&cut);
    // Cut mid-word unless the next character of `s` begins a word.
    let whole = s[kept.len()..].starts_with(' ');
    match kept.rfind(' ') {
        _ if whole => format!("{}{ellipsis}", kept.trim_end()),
        Some(i) if i > 0 => format!("{}{ellipsis}", kept[..i].trim_end()),
        _ => cut,
    }
}

/// `s` cut or padded with spaces to exactly `w` cells.
pub fn pad(s: &str, w: usize, ellipsis: &str) -> String {
    let mut out = fit(s, w, ellipsis);
    let n = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
    out
}

/// Names joined by `sep` within `w` cells; when they do not all fit, the ones that do and a
/// count of the rest: "a → b → … +7". Works from an iterator so a huge list costs only what
/// is shown.
pub fn join_fit<'a>(
    names: impl ExactSizeIterator<Item = &'a str>,
    sep: &str,
    w: usize,
    ellipsis: &str,
) -> String {
    let total = names.len();
    let mut out = String::new();
    let mut used = 0;
    for (i, name) in names.enumerate() {
        let piece_w = width(name) + if i > 0 { width(sep) } else { 0 };
        let rest = total - i - 1;
        // Room kept for the "… +N" tail if more follow.
        let tail = if rest > 0 {
            width(sep) + width(ellipsis) + 2 + digits(rest)
        } else {
            0
        };
        if used + piece_w + tail > w {
            let more = total - i;
            let t = format!("{ellipsis} +{more}");
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(&t);
            return fit(&out, w, ellipsis);
        }
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(name);
        used += piece_w;
    }
    out
}

/// `s` broken into lines of at most `w` cells at spaces (a word longer than a line is cut).
pub fn wrap_words(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let words = s.split(' ').filter(|x| !x.is_empty());
    for word in words.flat_map(|word| split_long(word, w)) {
        let need = width(word) + usize::from(!line.is_empty());
        if width(&line) + need > w && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A word wider than a line in pieces that fit, each ending after a `/`, `:` or `.` where
/// one falls in it (a path or a place, `examples/lost_update.rs:17`, stays whole across
/// lines rather than being cut at the edge); a word that fits as it is.
fn split_long(word: &str, w: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = word;
    while width(rest) > w {
        // The byte where the first `w` cells end, and the last break before it.
        let end = rest
            .char_indices()
            .scan(0, |cells, (i, c)| {
                *cells += width(c.encode_utf8(&mut [0; 4]));
                Some((i + c.len_utf8(), *cells))
            })
            .take_while(|&(_, cells)| cells <= w)
            .last()
            .map_or(rest.len(), |(i, _)| i);
        let cut = rest[..end].rfind(['/', ':', '.']).map_or(end, |i| i + 1);
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Names laid out over at most `max_lines` lines, the first `first` cells wide and the others
/// `rest` wide; when they do not all fit, the last line ends with "… +N".
pub fn wrap_names(
    names: &[&str],
    sep: &str,
    first: usize,
    rest: usize,
    max_lines: usize,
    ellipsis: &str,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < names.len() && lines.len() < max_lines {
        let w = if lines.is_empty() { first } else { rest };
        let last = lines.len() + 1 == max_lines;
        if last {
            lines.push(join_fit(names[i..].iter().copied(), sep, w, ellipsis));
            break;
        }
        let mut line = String::new();
        let mut used = 0;
        while i < names.len() {
            let piece = width(names[i]) + if line.is_empty() { 0 } else { width(sep) };
            if used + piece > w && !line.is_empty() {
                break;
            }
            if !line.is_empty() {
                line.push_str(sep);
            }
            line.push_str(names[i]);
            used += piece;
            i += 1;
        }
        lines.push(fit(&line, w, ellipsis));
    }
    lines
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A place wider than the line goes on over lines, split after a `/`, `:` or `.`,
    /// never cut at the edge.
    #[test]
    fn a_word_wider_than_the_line_is_split_not_cut() {
        let lines = wrap_words("at examples/lost_update.rs:17", 12);
        assert_eq!(
            lines.concat().replace(' ', ""),
            "atexamples/lost_update.rs:17"
        );
        assert!(lines.iter().all(|l| width(l) <= 12), "{lines:?}");
        assert_eq!(wrap_words("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4, "…"), "abc…");
        assert_eq!(fit("abc", 4, "…"), "abc");
        assert_eq!(fit("abc", 0, "…"), "");
        assert_eq!(pad("ab", 4, "…"), "ab  ");
    }

    #[test]
    fn fit_words_cuts_at_the_end_of_a_word() {
        let title = "A lock held across a sleep serialises everyone";
        assert_eq!(fit_words(title, 22, "…"), "A lock held across a…");
        assert_eq!(fit_words(title, 20, "…"), "A lock held across…");
        assert_eq!(fit_words("A race", 10, "…"), "A race");
        assert_eq!(fit_words("Deadlocking", 6, "…"), "Deadl…");
    }

    #[test]
    fn wrap_words_breaks_at_spaces() {
        assert_eq!(
            wrap_words("waiting for lock A (held by job1)", 20),
            vec!["waiting for lock A", "(held by job1)"]
        );
        assert_eq!(wrap_words("", 5), vec![""]);
    }

    #[test]
    fn wrap_names_fills_lines_and_counts_the_rest() {
        let names = [
            "item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "item-7",
        ];
        assert_eq!(
            wrap_names(&names, " ", 13, 20, 2, "…"),
            vec!["item-1 item-2", "item-3 item-4 … +3"]
        );
        assert_eq!(
            wrap_names(&names[..2], " ", 13, 20, 2, "…"),
            vec!["item-1 item-2"]
        );
        assert!(wrap_names(&names, " ", 13, 20, 0, "…").is_empty());
    }

    #[test]
    fn join_fit_counts_what_does_not_fit() {
        let names = ["job1", "job2", "job3", "job4"];
        assert_eq!(
            join_fit(names.iter().copied(), ", ", 40, "…"),
            "job1, job2, job3, job4"
        );
        let s = join_fit(names.iter().copied(), ", ", 16, "…");
        assert_eq!(s, "job1, job2, … +2");
    }
}
