//! JSON Lines, version 1: the form events take across a process boundary and in
//! `--headless --json`. One object a line; readers ignore fields they do not know and reject a
//! malformed line with its line number and what was wrong, without losing the rest.

use crate::event::{Event, ExitHow, MapHow, Num, ObjectKind, Op, WorkerKind};
use serde_json::{Map, Value, json};
use std::io::BufRead;

pub mod flat;

/// What was wrong with one line of a stream.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct LineError {
    pub line: u64,
    pub what: String,
}

/// Encodes one event as a JSON object (no newline).
pub fn encode(ev: &Event) -> String {
    quick(ev).unwrap_or_else(|| by_map(ev))
}

/// The most frequent events, which carry only numbers, written straight out: the same text
/// as [`by_map`] (a test holds them equal) at a fraction of its cost, so `--json` keeps up
/// with a traced program's millions of lock operations a second.
fn quick(ev: &Event) -> Option<String> {
    use Op::*;
    use std::fmt::Write;
    let mut s = String::with_capacity(96);
    let _ = write!(
        s,
        "{{\"t\":{},\"pid\":{},\"w\":{},\"op\":\"{}\"",
        ev.t,
        ev.pid,
        ev.w,
        ev.op.name()
    );
    if let Some(o) = ev.op.object() {
        let _ = write!(s, ",\"o\":{o}");
    }
    let num = |s: &mut String, k: &str, v: Option<u64>| {
        if let Some(v) = v {
            let _ = write!(s, ",\"{k}\":{v}");
        }
    };
    match &ev.op {
        Start
        | SleepEnd
        | AcquireBegin { .. }
        | Set { .. }
        | Clear { .. }
        | WaitBegin { .. }
        | GetBegin { .. } => {}
        AcquireEnd {
            ok, depth, value, ..
        } => {
            let _ = write!(s, ",\"ok\":{ok}");
            num(&mut s, "depth", depth.map(u64::from));
            num(&mut s, "value", *value);
        }
        Release { depth, value, .. } => {
            num(&mut s, "depth", depth.map(u64::from));
            num(&mut s, "value", *value);
        }
        WaitEnd { ok, .. } => {
            let _ = write!(s, ",\"ok\":{ok}");
        }
        _ => return None,
    }
    s.push('}');
    Some(s)
}

/// Any event, through a JSON map in field order.
fn by_map(ev: &Event) -> String {
    let mut m = Map::new();
    m.insert("t".into(), json!(ev.t));
    m.insert("pid".into(), json!(ev.pid));
    m.insert("w".into(), json!(ev.w));
    m.insert("op".into(), json!(ev.op.name()));
    if let Some(o) = ev.op.object() {
        m.insert("o".into(), json!(o));
    }
    fields(&ev.op, &mut m);
    Value::Object(m).to_string()
}

fn put<V: Into<Value>>(m: &mut Map<String, Value>, k: &str, v: V) {
    m.insert(k.to_string(), v.into());
}

fn put_opt<V: Into<Value>>(m: &mut Map<String, Value>, k: &str, v: Option<V>) {
    if let Some(v) = v {
        put(m, k, v);
    }
}

fn fields(op: &Op, m: &mut Map<String, Value>) {
    use Op::*;
    match op {
        Worker {
            name,
            kind,
            daemon,
            parent,
            thread,
        } => {
            put(m, "name", name.as_str());
            put(m, "kind", kind.as_str());
            put(m, "daemon", *daemon);
            put_opt(m, "parent", *parent);
            put_opt(m, "thread", *thread);
        }
        Object {
            name,
            kind,
            capacity,
            ..
        } => {
            put(m, "name", name.as_str());
            put(m, "kind", kind.as_str());
            put_opt(m, "capacity", *capacity);
        }
        Exit { how, msg } => {
            put(m, "how", how.as_str());
            put_opt(m, "msg", msg.as_deref());
        }
        JoinBegin { target } => put(m, "target", *target),
        JoinEnd { target, ok } => {
            put(m, "target", *target);
            put(m, "ok", *ok);
        }
        SleepBegin { ms } => put(m, "ms", *ms),
        Say { text } => put(m, "text", text.as_str()),
        AcquireEnd {
            ok, depth, value, ..
        } => {
            put(m, "ok", *ok);
            put_opt(m, "depth", *depth);
            put_opt(m, "value", *value);
        }
        Release { depth, value, .. } => {
            put_opt(m, "depth", *depth);
            put_opt(m, "value", *value);
        }
        AcquireSharedBegin { .. } | ReleaseShared { .. } => put(m, "read", true),
        AcquireSharedEnd { ok, .. } => {
            put(m, "ok", *ok);
            put(m, "read", true);
        }
        WaitEnd { ok, .. } => put(m, "ok", *ok),
        Notify { n, .. } => put(m, "n", *n),
        PutBegin { item, .. } | Send { item, .. } => put(m, "item", item.as_str()),
        PutEnd {
            item, depth, ok, ..
        } => {
            put(m, "item", item.as_str());
            put(m, "depth", *depth);
            put(m, "ok", *ok);
        }
        GetEnd {
            item, depth, ok, ..
        } => {
            put_opt(m, "item", item.as_deref());
            put(m, "depth", *depth);
            put(m, "ok", *ok);
        }
        TaskDone { unfinished, .. } => put(m, "unfinished", *unfinished),
        Submit { task, .. } | TaskBegin { task, .. } => put(m, "task", *task),
        TaskEnd { task, result, .. } => {
            put(m, "task", *task);
            put_opt(m, "result", result.as_deref());
        }
        RecvEnd { item, ok, .. } => {
            put_opt(m, "item", item.as_deref());
            put(m, "ok", *ok);
        }
        Read { value, index, .. } | Write { value, index, .. } => {
            put(m, "value", num_json(*value));
            put_opt(m, "index", *index);
        }
        Outcome { text, ok } => {
            put(m, "text", text.as_str());
            put(m, "ok", *ok);
        }
        Gate { next, .. } => put(m, "next", next.as_str()),
        Attach { how, .. } => put(m, "how", how.as_str()),
        Start
        | SleepEnd
        | AcquireBegin { .. }
        | Set { .. }
        | Clear { .. }
        | WaitBegin { .. }
        | NotifyAll { .. }
        | GetBegin { .. }
        | QueueJoinBegin { .. }
        | QueueJoinEnd { .. }
        | RecvBegin { .. }
        | Detach { .. }
        | Unlink { .. } => {}
    }
}

/// A shared value's number as JSON (a float JSON cannot carry, NaN or infinity, as null:
/// none is written by a program of ours).
pub fn num_json(n: Num) -> Value {
    match n {
        Num::Int(n) => n.into(),
        Num::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
    }
}

/// A number field's value as a u32, or the error that says it is too large.
fn small(k: &str, v: u64) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("field \"{k}\" is too large: {v}"))
}

/// Field access on one line's object, with errors that name the field: read by
/// serde_json, or by [`flat`].
enum Fields<'a> {
    Map(&'a Map<String, Value>),
    Flat(&'a flat::Flat<'a>),
}

impl Fields<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        match self {
            Fields::Map(m) => m.get(k),
            Fields::Flat(f) => f.get(k),
        }
    }

    /// The field, or the error that says it is missing.
    fn required(&self, k: &str) -> Result<&Value, String> {
        self.get(k).ok_or_else(|| format!("missing field \"{k}\""))
    }
    fn u64(&self, k: &str) -> Result<u64, String> {
        let v = self.required(k)?;
        v.as_u64()
            .ok_or_else(|| format!("field \"{k}\" must be a non-negative integer, got {v}"))
    }
    fn u32(&self, k: &str) -> Result<u32, String> {
        small(k, self.u64(k)?)
    }
    fn opt_u64(&self, k: &str) -> Result<Option<u64>, String> {
        match self.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.u64(k).map(Some),
        }
    }
    fn opt_u32(&self, k: &str) -> Result<Option<u32>, String> {
        self.opt_u64(k)?.map(|v| small(k, v)).transpose()
    }
    /// An integer, or else a float (a shared value's).
    fn num(&self, k: &str) -> Result<Num, String> {
        let v = self.required(k)?;
        match (v.as_i64(), v.as_f64()) {
            (Some(n), _) => Ok(Num::Int(n)),
            (None, Some(x)) => Ok(Num::Real(x)),
            _ => Err(format!("field \"{k}\" must be a number, got {v}")),
        }
    }
    fn str(&self, k: &str) -> Result<String, String> {
        self.opt_str(k)?
            .ok_or_else(|| format!("missing field \"{k}\""))
    }
    /// Items and texts may be any JSON value; a non-string is kept as its JSON text.
    fn opt_str(&self, k: &str) -> Result<Option<String>, String> {
        Ok(match self.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => Some(v.to_string()),
        })
    }
    fn bool_or(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.get(k) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(format!("field \"{k}\" must be true or false, got {v}")),
        }
    }
}

/// Decodes one line. The error says what was wrong (the caller adds the line number).
pub fn decode(line: &str) -> Result<Event, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    decode_value(&v)
}

/// Decodes one line already parsed as JSON (a reader that looked at its fields first).
pub fn decode_value(v: &Value) -> Result<Event, String> {
    let m = v.as_object().ok_or("not a JSON object")?;
    decode_fields(&Fields::Map(m))
}

/// Decodes one line read by [`flat::parse`].
pub fn decode_flat(f: &flat::Flat) -> Result<Event, String> {
    decode_fields(&Fields::Flat(f))
}

fn decode_fields(f: &Fields) -> Result<Event, String> {
    let op_name = f.str("op")?;
    let op = decode_op(&op_name, f)?;
    Ok(Event {
        t: f.opt_u64("t")?.unwrap_or(0),
        pid: f.opt_u32("pid")?.unwrap_or(0),
        w: f.u32("w")?,
        op,
    })
}

fn decode_op(name: &str, f: &Fields) -> Result<Op, String> {
    use Op::*;
    let o = || f.u32("o");
    let has_o = f.get("o").is_some();
    // An rwlock's read side: its acquire and release ops with `"read":true`.
    let shared = f.bool_or("read", false)?;
    Ok(match name {
        "worker" => {
            let kind = f.str("kind")?;
            let kind = WorkerKind::parse(&kind).ok_or_else(|| {
                format!("unknown worker kind \"{kind}\" (valid: main, thread, process, task)")
            })?;
            let thread = f.opt_u32("thread")?;
            if kind == WorkerKind::Task && thread.is_none() {
                return Err("a task needs \"thread\": the worker that runs it".into());
            }
            Worker {
                name: f.str("name")?,
                kind,
                daemon: f.bool_or("daemon", false)?,
                parent: f.opt_u32("parent")?,
                thread,
            }
        }
        "object" => {
            let kind = f.str("kind")?;
            Object {
                o: o()?,
                name: f.str("name")?,
                kind: ObjectKind::parse(&kind).ok_or_else(|| {
                    let valid: Vec<_> = ObjectKind::ALL.iter().map(|k| k.as_str()).collect();
                    format!(
                        "unknown object kind \"{kind}\" (valid: {})",
                        valid.join(", ")
                    )
                })?,
                capacity: f.opt_u64("capacity")?,
            }
        }
        "start" => Start,
        "exit" => {
            let how = f.opt_str("how")?.unwrap_or_else(|| "ok".into());
            Exit {
                how: ExitHow::parse(&how).ok_or_else(|| {
                    format!("unknown exit \"{how}\" (valid: ok, panic, killed, cancelled)")
                })?,
                msg: f.opt_str("msg")?,
            }
        }
        "join_begin" if has_o => QueueJoinBegin { o: o()? },
        "join_end" if has_o => QueueJoinEnd { o: o()? },
        "join_begin" => JoinBegin {
            target: f.u32("target")?,
        },
        "join_end" => JoinEnd {
            target: f.u32("target")?,
            ok: f.bool_or("ok", true)?,
        },
        "sleep_begin" => SleepBegin { ms: f.u64("ms")? },
        "sleep_end" => SleepEnd,
        "say" => Say {
            text: f.str("text")?,
        },
        "acquire_begin" if shared => AcquireSharedBegin { o: o()? },
        "acquire_end" if shared => AcquireSharedEnd {
            o: o()?,
            ok: f.bool_or("ok", true)?,
        },
        "release" if shared => ReleaseShared { o: o()? },
        "acquire_begin" => AcquireBegin { o: o()? },
        "acquire_end" => AcquireEnd {
            o: o()?,
            ok: f.bool_or("ok", true)?,
            depth: f.opt_u32("depth")?,
            value: f.opt_u64("value")?,
        },
        "release" => Release {
            o: o()?,
            depth: f.opt_u32("depth")?,
            value: f.opt_u64("value")?,
        },
        "set" => Set { o: o()? },
        "clear" => Clear { o: o()? },
        "wait_begin" => WaitBegin { o: o()? },
        "wait_end" => WaitEnd {
            o: o()?,
            ok: f.bool_or("ok", true)?,
        },
        "notify" => Notify {
            o: o()?,
            n: f.opt_u64("n")?.unwrap_or(1),
        },
        "notify_all" => NotifyAll { o: o()? },
        "put_begin" => PutBegin {
            o: o()?,
            item: f.opt_str("item")?.unwrap_or_default(),
        },
        "put_end" => PutEnd {
            o: o()?,
            item: f.opt_str("item")?.unwrap_or_default(),
            depth: f.u64("depth")?,
            ok: f.bool_or("ok", true)?,
        },
        "get_begin" => GetBegin { o: o()? },
        "get_end" => GetEnd {
            o: o()?,
            item: f.opt_str("item")?,
            depth: f.u64("depth")?,
            ok: f.bool_or("ok", true)?,
        },
        "task_done" => TaskDone {
            o: o()?,
            unfinished: f.opt_u64("unfinished")?.unwrap_or(0),
        },
        "submit" => Submit {
            o: o()?,
            task: f.u64("task")?,
        },
        "task_begin" => TaskBegin {
            o: o()?,
            task: f.u64("task")?,
        },
        "task_end" => TaskEnd {
            o: o()?,
            task: f.u64("task")?,
            result: f.opt_str("result")?,
        },
        "send" => Send {
            o: o()?,
            item: f.opt_str("item")?.unwrap_or_default(),
        },
        "recv_begin" => RecvBegin { o: o()? },
        "recv_end" => RecvEnd {
            o: o()?,
            item: f.opt_str("item")?,
            ok: f.bool_or("ok", true)?,
        },
        "read" => Read {
            o: o()?,
            value: f.num("value")?,
            index: f.opt_u32("index")?,
        },
        "write" => Write {
            o: o()?,
            value: f.num("value")?,
            index: f.opt_u32("index")?,
        },
        "attach" => {
            let how = f.opt_str("how")?.unwrap_or_else(|| "opened".into());
            Attach {
                o: o()?,
                how: MapHow::parse(&how).ok_or_else(|| {
                    format!("unknown mapping \"{how}\" (valid: created, opened, inherited)")
                })?,
            }
        }
        "detach" => Detach { o: o()? },
        "unlink" => Unlink { o: o()? },
        "outcome" => Outcome {
            text: f.str("text")?,
            ok: f.bool_or("ok", true)?,
        },
        "gate" => Gate {
            o: if has_o { Some(o()?) } else { None },
            next: f.str("next")?,
        },
        other => return Err(format!("unknown op \"{other}\"")),
    })
}

/// Reads a whole stream: every good line as an event, every bad one as an error with its line
/// number; a bad line never stops the reading. Blank lines are skipped.
pub fn read_stream<R: BufRead>(r: R) -> impl Iterator<Item = Result<Event, LineError>> {
    r.split(b'\n').enumerate().filter_map(|(i, bytes)| {
        let line = (i + 1) as u64;
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                return Some(Err(LineError {
                    line,
                    what: format!("read error: {e}"),
                }));
            }
        };
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.trim(),
            Err(e) => {
                return Some(Err(LineError {
                    line,
                    what: format!("not UTF-8: {e}"),
                }));
            }
        };
        if text.is_empty() {
            return None;
        }
        Some(decode(text).map_err(|what| LineError { line, what }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(op: Op) -> Event {
        Event {
            t: 1500,
            pid: 42,
            w: 3,
            op,
        }
    }

    #[test]
    fn every_op_round_trips_through_json() {
        for op in every_op() {
            let e = ev(op);
            let line = encode(&e);
            assert_eq!(decode(&line).as_ref(), Ok(&e), "{line}");
        }
    }

    /// One of each op, with its optional fields set and not.
    fn every_op() -> Vec<Op> {
        vec![
            Op::Worker {
                name: "car-1".into(),
                kind: WorkerKind::Thread,
                daemon: true,
                parent: Some(0),
                thread: None,
            },
            Op::Worker {
                name: "fetch-1".into(),
                kind: WorkerKind::Task,
                daemon: false,
                parent: Some(0),
                thread: Some(0),
            },
            Op::Object {
                o: 2,
                name: "light".into(),
                kind: ObjectKind::BoundedSemaphore,
                capacity: Some(5),
            },
            Op::Start,
            Op::Exit {
                how: ExitHow::Panic,
                msg: Some("boom".into()),
            },
            Op::JoinBegin { target: 1 },
            Op::JoinEnd {
                target: 1,
                ok: true,
            },
            Op::SleepBegin { ms: 400 },
            Op::SleepEnd,
            Op::Say { text: "hi".into() },
            Op::AcquireBegin { o: 1 },
            Op::AcquireEnd {
                o: 1,
                ok: true,
                depth: Some(2),
                value: None,
            },
            Op::Release {
                o: 1,
                depth: None,
                value: Some(4),
            },
            Op::AcquireSharedBegin { o: 1 },
            Op::AcquireSharedEnd { o: 1, ok: false },
            Op::ReleaseShared { o: 1 },
            Op::Set { o: 1 },
            Op::Clear { o: 1 },
            Op::WaitBegin { o: 1 },
            Op::WaitEnd { o: 1, ok: false },
            Op::Notify { o: 1, n: 2 },
            Op::NotifyAll { o: 1 },
            Op::PutBegin {
                o: 1,
                item: "x".into(),
            },
            Op::PutEnd {
                o: 1,
                item: "x".into(),
                depth: 3,
                ok: true,
            },
            Op::GetBegin { o: 1 },
            Op::GetEnd {
                o: 1,
                item: Some("x".into()),
                depth: 2,
                ok: true,
            },
            Op::TaskDone {
                o: 1,
                unfinished: 1,
            },
            Op::QueueJoinBegin { o: 1 },
            Op::QueueJoinEnd { o: 1 },
            Op::Submit { o: 1, task: 7 },
            Op::TaskBegin { o: 1, task: 7 },
            Op::TaskEnd {
                o: 1,
                task: 7,
                result: Some("107".into()),
            },
            Op::Send {
                o: 1,
                item: "m".into(),
            },
            Op::RecvBegin { o: 1 },
            Op::RecvEnd {
                o: 1,
                item: None,
                ok: false,
            },
            Op::Read {
                o: 1,
                value: Num::Int(-3),
                index: None,
            },
            Op::Write {
                o: 1,
                value: Num::Int(9),
                index: Some(2),
            },
            Op::Write {
                o: 1,
                value: Num::Real(0.25),
                index: None,
            },
            Op::Attach {
                o: 4,
                how: MapHow::Created,
            },
            Op::Attach {
                o: 4,
                how: MapHow::Inherited,
            },
            Op::Detach { o: 4 },
            Op::Unlink { o: 4 },
            Op::Outcome {
                text: "balance = 0".into(),
                ok: true,
            },
        ]
    }

    #[test]
    fn numbers_only_events_are_written_as_the_map_writes_them() {
        let mut quick_ones = 0;
        for op in every_op() {
            let e = Event {
                t: u64::MAX,
                pid: 77,
                w: 5,
                op,
            };
            if let Some(q) = quick(&e) {
                assert_eq!(q, by_map(&e), "{e:?}");
                quick_ones += 1;
            }
        }
        assert!(quick_ones >= 8, "{quick_ones} ops written the quick way");
        assert_eq!(quick(&ev(Op::Say { text: "x".into() })), None);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let e = decode(r#"{"t":1,"pid":2,"w":3,"o":4,"op":"set","colour":"red"}"#).unwrap();
        assert_eq!(e.op, Op::Set { o: 4 });
    }

    #[test]
    fn malformed_lines_are_reported_and_the_rest_is_read() {
        let input = b"{\"w\":0,\"op\":\"start\"}\nnot json\n\n{\"w\":0,\"op\":\"fly\"}\n{\"w\":1,\"op\":\"acquire_begin\"}\n{\"w\":0,\"op\":\"sleep_end\"}\n";
        let out: Vec<_> = read_stream(&input[..]).collect();
        assert_eq!(out.len(), 5);
        assert!(out[0].is_ok());
        assert_eq!(out[1].as_ref().unwrap_err().line, 2);
        let e3 = out[2].as_ref().unwrap_err();
        assert_eq!(e3.line, 4);
        assert!(e3.what.contains("unknown op \"fly\""), "{}", e3.what);
        let e4 = out[3].as_ref().unwrap_err();
        assert!(e4.what.contains("missing field \"o\""), "{}", e4.what);
        assert!(out[4].is_ok());
    }
}
