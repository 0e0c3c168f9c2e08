//! Objects in words: the one table of kind words ("lock", "lifo queue", "bounded
//! semaphore") and an object's name with them, never the same word twice. Words only: no
//! state, no world.

use crate::event::ObjectKind;

/// An object kind in running text (the log, the lanes): "lock", "lifo queue"; a bounded
/// semaphore is a semaphore there (its card and its declaration say bounded).
pub fn kind_word(kind: ObjectKind) -> &'static str {
    use ObjectKind::*;
    match kind {
        BoundedSemaphore => "semaphore",
        Rendezvous => "rendezvous",
        other => full_kind_word(other),
    }
}

/// An object kind in full, as its card in the objects panel names it: "bounded semaphore".
pub fn full_kind_word(kind: ObjectKind) -> &'static str {
    use ObjectKind::*;
    match kind {
        Lock => "lock",
        RLock => "rlock",
        Semaphore => "semaphore",
        BoundedSemaphore => "bounded semaphore",
        Event => "event",
        Condition => "condition",
        Queue => "queue",
        LifoQueue => "lifo queue",
        PriorityQueue => "priority queue",
        Barrier => "barrier",
        Pool => "pool",
        Pipe => "pipe",
        Value => "value",
        RwLock => "rwlock",
        Rendezvous => "rendezvous channel",
        SharedMemory => "shared memory",
    }
}

/// A shorter word for the kinds whose word is long, for narrow places.
pub fn short_kind_word(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::BoundedSemaphore => "semaphore",
        ObjectKind::LifoQueue => "lifo",
        ObjectKind::PriorityQueue => "prio queue",
        other => kind_word(other),
    }
}

/// Names that say which of its family an object is: a queue named "fifo" is the fifo queue.
fn qualifiers(kind: ObjectKind) -> &'static [&'static str] {
    use ObjectKind::*;
    match kind {
        Queue => &["fifo"],
        LifoQueue => &["lifo"],
        PriorityQueue => &["priority", "prio"],
        BoundedSemaphore => &["bounded"],
        RLock => &["reentrant"],
        _ => &[],
    }
}

/// An object's name with the words of its kind around it, apart so a screen can style the
/// name and the kind differently. Displayed, the parts join with spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label<'a> {
    /// Kind words before the name ("lock" in "lock A"); may be empty.
    pub before: &'static str,
    pub name: &'a str,
    /// Kind words after the name ("queue" in "fifo queue"); may be empty.
    pub after: &'static str,
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [self.before, self.name, self.after];
        let mut first = true;
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(p)?;
            first = false;
        }
        Ok(())
    }
}

/// An object named with its kind, never the same word twice: "lock A"; a lock named "lock"
/// is "lock", one named "lock-9" is "lock-9"; a pipe named "proc-1 pipe" is that; a LIFO
/// queue named "lifo" is "lifo queue", one named "queue-8" is "lifo queue-8".
pub fn label(kind: ObjectKind, name: &str) -> Label<'_> {
    label_with(kind_word(kind), kind, name)
}

/// The same with the kind in full ("bounded semaphore slots"), for an object's card and
/// its declaration.
pub fn full_label(kind: ObjectKind, name: &str) -> Label<'_> {
    label_with(full_kind_word(kind), kind, name)
}

/// The same with the short kind word ("prio queue"), for narrow places.
pub fn short_label(kind: ObjectKind, name: &str) -> Label<'_> {
    label_with(short_kind_word(kind), kind, name)
}

fn label_with<'a>(phrase: &'static str, kind: ObjectKind, name: &'a str) -> Label<'a> {
    // The noun is the kind's last word ("queue" of "lifo queue"); what comes before it
    // qualifies it.
    let (front, noun) = match phrase.rsplit_once(' ') {
        Some((front, noun)) => (front, noun),
        None => ("", phrase),
    };
    let says = |w: &str| {
        name.split(|c: char| !c.is_alphanumeric())
            .any(|part| part.eq_ignore_ascii_case(w))
    };
    // An RLock named for the lock it is ("lock", as Python code names it) is "rlock", not
    // "rlock lock".
    if kind == ObjectKind::RLock && name.eq_ignore_ascii_case("lock") {
        return Label {
            before: phrase,
            name: "",
            after: "",
        };
    }
    if says(noun) {
        return Label {
            before: front,
            name,
            after: "",
        };
    }
    if qualifiers(kind)
        .iter()
        .any(|q| name.eq_ignore_ascii_case(q))
    {
        return Label {
            before: "",
            name,
            after: noun,
        };
    }
    Label {
        before: phrase,
        name,
        after: "",
    }
}

/// What a new object's capacity means, in its kind's words: "maxsize 3", "5 slots".
pub(super) fn capacity_words(kind: ObjectKind, c: u64) -> String {
    use ObjectKind::*;
    match kind {
        Queue | LifoQueue | PriorityQueue if c == 0 => "unbounded".into(),
        Queue | LifoQueue | PriorityQueue => format!("maxsize {c}"),
        Semaphore | BoundedSemaphore if c == 1 => "1 slot".into(),
        Semaphore | BoundedSemaphore => format!("{c} slots"),
        Pool => format!("{c} workers"),
        Barrier => format!("{c} parties"),
        Rendezvous => "capacity 0".into(),
        SharedMemory => bytes_words(c),
        _ => c.to_string(),
    }
}

/// A size in bytes as people say it: "64 bytes", "4 KiB", "1.5 MiB".
pub fn bytes_words(n: u64) -> String {
    const KIB: u64 = 1024;
    match n {
        1 => "1 byte".into(),
        n if n < KIB => format!("{n} bytes"),
        n if n < KIB * KIB => kib_words(n, KIB, "KiB"),
        n if n < KIB * KIB * KIB => kib_words(n, KIB * KIB, "MiB"),
        n => kib_words(n, KIB * KIB * KIB, "GiB"),
    }
}

fn kib_words(n: u64, unit: u64, word: &str) -> String {
    if n.is_multiple_of(unit) {
        format!("{} {word}", n / unit)
    } else {
        format!("{:.1} {word}", n as f64 / unit as f64)
    }
}
