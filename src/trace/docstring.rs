//! A Python script's module docstring, for the explanation panel of its trace: the lesson
//! the program's author wrote at its top, in paragraphs the panel can wrap.

/// Bytes of a script read for it, at most: a docstring is at the top.
const READ: usize = 64 << 10;

/// The docstring of the script at `path`, if it has one (see [`of_source`]).
pub fn of_script(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(READ as u64)
        .read_to_string(&mut text)
        .ok()?;
    of_source(&text)
}

/// The module docstring of Python `source`: the string literal that is its first statement
/// (after a shebang, comments and blank lines), in paragraphs, each one line (its lines
/// joined with spaces: the panel wraps them). None if there is none, or it is empty.
pub fn of_source(source: &str) -> Option<String> {
    let body = source
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let body = body.trim_start_matches(['r', 'R', 'u', 'U']);
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| body.starts_with(q))?;
    let rest = &body[quote.len()..];
    let inner = &rest[..rest.find(quote)?];
    let paras: Vec<String> = inner
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    (!paras.is_empty()).then(|| paras.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::of_source;

    #[test]
    fn the_first_string_of_the_module_in_paragraphs() {
        let src = "#!/usr/bin/env python3\n# a comment\n\n\"\"\"Lesson: a lock\nmakes a job whole.\n\n  Watch the lanes.\n\"\"\"\nimport threading\n";
        assert_eq!(
            of_source(src).as_deref(),
            Some("Lesson: a lock makes a job whole.\n\nWatch the lanes.")
        );
        assert_eq!(of_source("r'''raw'''\n").as_deref(), Some("raw"));
        assert_eq!(of_source("'one line'\nx = 1").as_deref(), Some("one line"));
    }

    #[test]
    fn none_where_the_module_starts_with_code_or_the_string_never_ends() {
        assert_eq!(
            of_source("import threading\n\"\"\"not a docstring\"\"\""),
            None
        );
        assert_eq!(of_source("\"\"\"never closed\n"), None);
        assert_eq!(of_source("\"\"\"   \"\"\""), None);
        assert_eq!(of_source(""), None);
    }
}
