//! Local ids (a process's own numbering of its workers or objects) to the run's ids.
//!
//! A process numbers what it makes 1, 2, 3, ...: a dense table per owner turns a local id
//! into the run's with an index, and a run of new ids touches memory in order. A program
//! making 500,000 locks made a hash map of that size the reader's slowest part (a cache
//! miss a lookup). Ids past [`DENSE_MOST`] (a stream's own odd numbering) go to a map.

use super::core::{HashMap, Owner};

/// Local ids below this are kept densely (at most 4 MB an owner).
const DENSE_MOST: u32 = 1 << 20;

/// Not mapped yet (a run-wide id is never `u32::MAX`: ids are counted from 0).
const NONE: u32 = u32::MAX;

#[derive(Default)]
pub(super) struct LocalIds {
    dense: HashMap<Owner, Vec<u32>>,
    sparse: HashMap<(Owner, u32), u32>,
}

impl LocalIds {
    pub fn get(&self, owner: Owner, local: u32) -> Option<u32> {
        if local >= DENSE_MOST {
            return self.sparse.get(&(owner, local)).copied();
        }
        let id = *self.dense.get(&owner)?.get(local as usize)?;
        (id != NONE).then_some(id)
    }

    pub fn insert(&mut self, owner: Owner, local: u32, id: u32) {
        if local >= DENSE_MOST {
            self.sparse.insert((owner, local), id);
            return;
        }
        let table = self.dense.entry(owner).or_default();
        let i = local as usize;
        if table.len() <= i {
            table.resize(i + 1, NONE);
        }
        table[i] = id;
    }

    /// The run's id for `local`, made by `new` the first time.
    pub fn get_or_make(&mut self, owner: Owner, local: u32, new: impl FnOnce() -> u32) -> u32 {
        if let Some(id) = self.get(owner, local) {
            return id;
        }
        let id = new();
        self.insert(owner, local, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::{DENSE_MOST, LocalIds};

    #[test]
    fn owners_number_apart_and_far_ids_are_kept_too() {
        let mut ids = LocalIds::default();
        let mut next = 0;
        let mut make = || {
            next += 1;
            next
        };
        let a = ids.get_or_make(1, 3, &mut make);
        let b = ids.get_or_make(2, 3, &mut make);
        assert_ne!(a, b);
        assert_eq!(ids.get_or_make(1, 3, &mut make), a);
        assert_eq!(ids.get(1, 2), None, "a gap is not mapped");
        let far = ids.get_or_make(1, DENSE_MOST + 7, &mut make);
        assert_eq!(ids.get(1, DENSE_MOST + 7), Some(far));
        ids.insert(2, 0, 99);
        assert_eq!(ids.get(2, 0), Some(99));
        assert_eq!(ids.get(3, 0), None);
    }
}
