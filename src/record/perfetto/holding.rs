//! The trace's holding slices and its deadlock mark: what a worker holds, as one slice
//! from the acquire to the release whatever it does meanwhile (its state slices cut where
//! holding begins or ends, so they nest), and an instant where a wait-for cycle forms.

use super::*;

impl Builder {
    /// Marks the moment a deadlock forms: an instant on the worker whose wait closed the
    /// cycle, naming the cycle.
    pub(super) fn deadlock_mark(&mut self, ev: &Event) {
        let now = self.world.deadlock.is_some();
        if now
            && !self.deadlocked
            && let Some(cycle) = &self.world.deadlock
        {
            let words = crate::model::waitfor::describe_cycle(&self.world, cycle);
            let mut args = Map::new();
            args.insert("cycle".into(), json!(words));
            self.global_instant(ev.w, ev.t, format!("deadlock: {words}"), "deadlock", args);
        }
        self.deadlocked = now;
    }

    /// An instant drawn across the whole trace (`"s":"g"`), on `w`'s track.
    pub(super) fn global_instant(
        &mut self,
        w: WorkerId,
        t: u64,
        name: String,
        cat: &'static str,
        args: Map<String, Value>,
    ) {
        let mut m = Map::new();
        m.insert("ph".into(), json!("i"));
        m.insert("s".into(), json!("g"));
        m.insert("name".into(), json!(name));
        m.insert("cat".into(), json!(cat));
        m.insert("ts".into(), json!(us(t)));
        m.insert("args".into(), Value::Object(args));
        self.out.push((t, RANK_INSTANT, w, m));
    }

    /// Brings the holding slices of the workers `ev` may have changed up to date: its own,
    /// and for a release the holders of the object (any thread may release a semaphore).
    pub(super) fn sync_holds(&mut self, ev: &Event) {
        self.sync_hold(ev.w, ev.t);
        if let Op::Release { o, .. } | Op::ReleaseShared { o } = ev.op {
            let others: Vec<WorkerId> = self
                .track_ix
                .iter()
                .filter(|(w, ix)| {
                    **w != ev.w
                        && self.tracks[**ix]
                            .hold
                            .as_ref()
                            .is_some_and(|(_, held)| held.contains(&o))
                })
                .map(|(w, _)| *w)
                .collect();
            for w in others {
                self.sync_hold(w, ev.t);
            }
        }
    }

    /// Opens, closes or changes `w`'s holding slice at `t` if what it holds changed; the
    /// state slice open then is cut there too, so it nests in one holding slice.
    fn sync_hold(&mut self, w: WorkerId, t: u64) {
        let now: Vec<ObjectId> = self
            .world
            .worker(w)
            .map(|k| k.holding.clone())
            .unwrap_or_default();
        let before = self.track(w).hold.as_ref().map(|(_, held)| held.as_slice());
        if before.unwrap_or(&[]) == now.as_slice() {
            return;
        }
        self.close_hold(w, t);
        if let Some(open) = self.track(w).state.take() {
            let (t0, cat, name, args) = open;
            self.slice(w, t0, t, cat, name.clone(), args.clone());
            self.track(w).state = Some((t, cat, name, args));
        }
        // A worker that ended holding a lock (killed -9) holds nothing in time any more.
        if now.is_empty() || self.track(w).life.is_none() {
            return;
        }
        let name = format!("holds {}", describe::holds(&self.world, &now));
        let mut args = Map::new();
        let objects: Vec<Value> = now
            .iter()
            .map(|o| json!(self.world.object_name(*o)))
            .collect();
        args.insert("objects".into(), Value::Array(objects));
        self.track(w).hold = Some(((t, "holding", name, args), now));
    }

    pub(super) fn close_hold(&mut self, w: WorkerId, t: u64) {
        if let Some(((t0, cat, name, args), _)) = self.track(w).hold.take() {
            self.slice(w, t0, t, cat, name, args);
        }
    }

    /// Closes `w`'s holding slice at `t` and opens the same again there (at a task's
    /// bounds, so it nests in the task).
    pub(super) fn split_hold(&mut self, w: WorkerId, t: u64) {
        if let Some(((t0, cat, name, args), held)) = self.track(w).hold.take() {
            self.slice(w, t0, t, cat, name.clone(), args.clone());
            self.track(w).hold = Some(((t, cat, name, args), held));
        }
    }
}
