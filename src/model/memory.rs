//! Shared memory in the world: who maps a block now, and its first bytes as threadlanes
//! last read them from the block (no event carries them: src/app/memory.rs reads them).

use super::World;
use super::object::{Bytes, Object, ObjectState};
use crate::event::{ObjectId, Op, WorkerId, WorkerKind};

impl World {
    /// A process maps shared memory, unmaps it, or removes its name. A process unmaps what
    /// it mapped, whichever of its threads closes it: the mapping let go is the one `w` made,
    /// else the first one of `w`'s process.
    pub(super) fn shared_memory(&mut self, w: WorkerId, pid: u32, ox: u32, op: &Op) {
        // The mapping a close lets go of: found before the object is borrowed to change it.
        let unmap = match (op, self.objects.get(ox as usize).map(|ob| &ob.state)) {
            (Op::Detach { .. }, Some(ObjectState::SharedMemory { mapped, .. })) => {
                let same_process = |m: &WorkerId| self.worker(*m).is_some_and(|x| x.pid == pid);
                let mine = mapped.iter().position(|m| *m == w);
                mine.or_else(|| mapped.iter().position(same_process))
            }
            _ => None,
        };
        let Some(ObjectState::SharedMemory {
            mapped, unlinked, ..
        }) = self.object_at(ox).map(|ob| &mut ob.state)
        else {
            return;
        };
        match op {
            Op::Attach { .. } => mapped.push(w),
            Op::Detach { .. } => {
                if let Some(i) = unmap {
                    mapped.remove(i);
                }
            }
            Op::Unlink { .. } => *unlinked = true,
            _ => {}
        }
    }

    /// Who maps shared memory `ob` now, each once (a forked child that maps it again by
    /// name holds two mappings): those that mapped it, but for any whose process has ended
    /// (its mappings went with it, closed or not).
    pub fn mapping(&self, ob: &Object) -> Vec<WorkerId> {
        let mapped = match &ob.state {
            ObjectState::SharedMemory { mapped, .. } => mapped.as_slice(),
            _ => &[],
        };
        let mut out: Vec<WorkerId> = Vec::new();
        for &w in mapped {
            let pid = self.worker(w).map_or(0, |x| x.pid);
            let ended = self.workers.iter().any(|x| {
                x.pid == pid
                    && matches!(x.kind, WorkerKind::Main | WorkerKind::Process)
                    && x.is_done()
            });
            if !ended && !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }

    /// Shared memory `o` holds `bytes` at its start, as threadlanes read them from the
    /// block at `t` (the app reads the blocks a traced program maps: src/app/memory.rs).
    /// True if they differ from what it held.
    pub fn saw_memory(&mut self, o: ObjectId, t: u64, bytes: &[u8]) -> bool {
        let ix = self.object_index(o);
        let Some(ObjectState::SharedMemory { bytes: seen, .. }) =
            ix.and_then(|ix| self.object_at(ix)).map(|ob| &mut ob.state)
        else {
            return false;
        };
        if seen.as_ref().is_some_and(|s| s.bytes == bytes) {
            return false;
        }
        let changed = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| seen.as_ref().is_some_and(|s| s.bytes.get(i) != Some(b)))
            .collect();
        *seen = Some(Bytes {
            t,
            bytes: bytes.to_vec(),
            changed,
        });
        true
    }
}
