//! A gate line as read off a connection: what a thread will do next, its ids mapped to the
//! run's. Lines threadlanes cannot use let their thread through.

use crate::event::{ObjectId, WorkerId};

/// What a gate line says, its ids already the run's.
pub(in crate::source::traced) struct GateLine {
    pub w: WorkerId,
    pub local: WorkerId,
    /// The process's pid, and the object's id in its process's terms with that process's
    /// pid (`o`, `opid`): the line's own ids, for the gate event said of it.
    pub pid: u32,
    pub local_o: Option<(u32, u32)>,
    pub op: &'static str,
    pub o: Option<ObjectId>,
    pub target: Option<WorkerId>,
    pub at: String,
    /// A sleep's length.
    pub ms: Option<u64>,
    /// A try, or a wait with a timeout: it may go even if what it wants is not there.
    pub timed: bool,
    /// An rwlock's reader (`"read":1`): it shares the lock with other readers. A writer
    /// says `"write":1`, and an acquire that says neither takes its lock alone too.
    pub read: bool,
}

/// The op names a gate line may carry, as the lanes say them.
const OPS: &[&str] = &[
    "acquire",
    "release",
    "set",
    "clear",
    "wait",
    "notify",
    "notify_all",
    "join",
    "put",
    "get",
    "sleep",
];

/// The known name for `op`, or None for one we do not know (the line is then ignored and
/// its thread let through, so an unknown op never holds a program).
pub(in crate::source::traced) fn op_name(op: &str) -> Option<&'static str> {
    OPS.iter().copied().find(|o| *o == op)
}

/// A gate line read (`{"gate":w,"pid":p,"next":"acquire","o":3,"opid":p,"at":"bank.py:14"}`),
/// its ids mapped to the run's by `ingest`. `Err(Some(local))`: a gate line we cannot use
/// (its thread is let through); `Err(None)`: not a gate line at all.
pub(in crate::source::traced) fn parse(
    bytes: &[u8],
    ingest: &mut crate::source::ingest::Ingest,
) -> Result<GateLine, Option<WorkerId>> {
    use serde_json::Value;
    if !bytes.starts_with(b"{\"gate\"") {
        return Err(None);
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|_| None)?;
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let local = num("gate").ok_or(None)?;
    let (Some(pid), Some(op)) = (num("pid"), v.get("next").and_then(Value::as_str)) else {
        return Err(Some(local));
    };
    let op = op_name(op).ok_or(Some(local))?;
    let local_o = num("o").map(|o| (o, num("opid").unwrap_or(pid)));
    let o = local_o.map(|(o, opid)| ingest.object_of(opid, o));
    let target = num("target").map(|t| ingest.worker_of(num("tpid").unwrap_or(pid), t));
    Ok(GateLine {
        w: ingest.worker_of(pid, local),
        local,
        pid,
        local_o,
        op,
        o,
        target,
        at: v
            .get("at")
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
        ms: v.get("ms").and_then(Value::as_u64),
        timed: v.get("timed").is_some(),
        read: v.get("read").is_some(),
    })
}
