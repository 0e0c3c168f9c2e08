//! Where a trace ends and the file around its slices: states still open closed at the end
//! (a stuck or deadlocked run's trace goes on a while after its last event, so they show),
//! the process and thread names, the order a viewer reads, and what the run was.

use super::*;

/// The least a stuck or deadlocked run's trace goes on after its last event.
const MIN_TAIL: u64 = 100_000_000;

/// Where the trace of a run that ended as `meta.end` after `last` ns of events ends.
fn end_at(meta: &Meta, last: u64) -> u64 {
    match meta.end {
        End::Finished => last,
        End::Cut => meta.until.unwrap_or(last).max(last),
        End::Stuck | End::Deadlock => last.saturating_add((last / 10).max(MIN_TAIL)),
    }
}

/// Why the trace ends where it does, for the instant there.
fn end_words(end: End) -> &'static str {
    match end {
        End::Finished => "the run ends: every worker has ended",
        End::Cut => "the trace ends: cut at the time asked for",
        End::Stuck => "the trace ends: stuck, every worker waits and none can go",
        End::Deadlock => "the trace ends: deadlocked, the run would never end",
    }
}

impl Builder {
    pub(super) fn finish(mut self, meta: &Meta) -> Value {
        let mut ws: Vec<WorkerId> = self.track_ix.keys().copied().collect();
        ws.sort_unstable();
        let end = end_at(meta, self.last_t);
        if meta.end != End::Finished {
            // Where the trace ends and why, on the first worker's track.
            if let Some(&w) = ws.first() {
                let mut args = Map::new();
                args.insert("end".into(), json!(meta.end.as_str()));
                self.global_instant(w, end, end_words(meta.end).into(), "end", args);
            }
        }
        for w in ws {
            let tr = self.track(w);
            for open in [tr.state.as_mut(), tr.hold.as_mut().map(|(o, _)| o)]
                .into_iter()
                .flatten()
            {
                open.3
                    .insert("open_at_end".into(), json!(meta.end.as_str()));
            }
            self.close_all(w, end, None);
        }
        // Processes numbered in order of appearance: the trace is the same on every seeded
        // run, whatever pids the OS handed out.
        let mut pids: Vec<u32> = Vec::new();
        let mut order: Vec<(WorkerId, usize)> =
            self.track_ix.iter().map(|(w, ix)| (*w, *ix)).collect();
        order.sort_unstable();
        for (_, ix) in &order {
            if let Some(p) = self.tracks[*ix].pid
                && !pids.contains(&p)
            {
                pids.push(p);
            }
        }
        let pid_of = |tr: &Track| {
            tr.pid
                .and_then(|p| pids.iter().position(|x| *x == p))
                .unwrap_or(0) as u64
                + 1
        };
        let mut events = Vec::new();
        for (i, _) in pids.iter().enumerate() {
            let name = if i == 0 {
                format!("threadlanes: {}", meta.scenario)
            } else {
                // The first process worker living there names it.
                order
                    .iter()
                    .map(|(_, ix)| &self.tracks[*ix])
                    .find(|tr| pid_of(tr) == i as u64 + 1)
                    .map_or(format!("process {}", i + 1), |tr| {
                        format!("process {}", tr.name)
                    })
            };
            events.push(
                json!({"ph": "M", "name": "process_name", "pid": i + 1, "tid": 0,
                "args": {"name": name}}),
            );
            events.push(
                json!({"ph": "M", "name": "process_sort_index", "pid": i + 1, "tid": 0,
                "args": {"sort_index": i}}),
            );
        }
        for (w, ix) in &order {
            let tr = &self.tracks[*ix];
            if tr.pid.is_none() {
                continue; // declared, never started: no events of its own
            }
            let pid = pid_of(tr);
            events.push(
                json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": w,
                "args": {"name": tr.name}}),
            );
            events.push(
                json!({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": w,
                "args": {"sort_index": w}}),
            );
        }
        // By time; at one instant, longer slices before the ones they hold, then arrows and
        // instants, so a viewer reading in order nests them right. Stable: same input, same
        // file.
        let mut out = std::mem::take(&mut self.out);
        out.sort_by(|a, b| {
            let dur = |m: &Map<String, Value>| m.get("dur").and_then(Value::as_f64).unwrap_or(0.0);
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then(dur(&b.3).total_cmp(&dur(&a.3)))
        });
        // The run's instants on the first named track (scoped to the whole trace).
        let first = order
            .iter()
            .find(|(_, ix)| self.tracks[*ix].pid.is_some())
            .map_or(0, |(w, _)| *w);
        for (_, _, w, mut m) in out {
            let w = if w == RUN_TRACK { first } else { w };
            let pid = self
                .track_ix
                .get(&w)
                .map_or(1, |ix| pid_of(&self.tracks[*ix]));
            m.insert("pid".into(), json!(pid));
            m.insert("tid".into(), json!(w));
            events.push(Value::Object(m));
        }
        let mut other = Map::new();
        other.insert("generator".into(), json!("threadlanes export"));
        other.insert("scenario".into(), json!(meta.scenario));
        other.insert("variant".into(), json!(meta.variant));
        let params: Map<String, Value> = meta
            .params
            .iter()
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        other.insert("params".into(), Value::Object(params));
        other.insert(
            "schedule".into(),
            json!(
                meta.seed
                    .map_or("free".to_string(), |s| format!("seeded {s}"))
            ),
        );
        other.insert("end".into(), json!(meta.end.as_str()));
        other.insert("end_us".into(), json!(us(end)));
        other.insert("clock".into(), json!("virtual time of the run"));
        json!({
            "traceEvents": events,
            "displayTimeUnit": "ms",
            "otherData": other,
        })
    }
}
