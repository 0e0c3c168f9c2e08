//! The bytes of the shared memory blocks a traced program maps, read from the blocks
//! themselves: no event carries them (a write to shared memory runs no code a tracer sees),
//! but the blocks are files under /dev/shm that any process of the user's can read. Each
//! block is opened at the first frame that finds its object (never, if its name is gone by
//! then) and read at every frame while the run goes on. An open block stays readable
//! after the program unlinks it while a process of the program still maps it; once none
//! does, it is let go, so the viewer never keeps memory the program has freed.

use crate::event::{ObjectId, ObjectKind};
use crate::model::World;
use crate::model::object::ObjectState;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// Bytes read from the start of each block: what the card can show.
pub const SHOWN: usize = 64;

/// Where a block named `name` lives; None for a name that is not one (a name from a
/// stream is not trusted with a path).
fn path_of(name: &str) -> Option<PathBuf> {
    let ok = !name.is_empty() && !name.contains('/') && name != "." && name != "..";
    ok.then(|| PathBuf::from("/dev/shm").join(name))
}

/// Unlinked and mapped by no live process: the memory is the system's again.
fn freed(world: &World, o: &crate::model::Object) -> bool {
    matches!(o.state, ObjectState::SharedMemory { unlinked: true, .. })
        && world.mapping(o).is_empty()
}

/// The blocks opened so far (None: could not be, or let go; not tried again).
#[derive(Default)]
pub struct Memory {
    open: HashMap<ObjectId, Option<File>>,
}

impl Memory {
    /// Reads every shared memory block of `world` and tells the world what it holds.
    /// True if any changed.
    pub fn read_into(&mut self, world: &mut World) -> bool {
        let blocks: Vec<(ObjectId, String, u64, bool)> = world
            .objects
            .iter()
            .filter(|o| o.kind == ObjectKind::SharedMemory)
            .map(|o| {
                (
                    o.id,
                    o.name.clone(),
                    o.capacity.unwrap_or(0),
                    freed(world, o),
                )
            })
            .collect();
        let mut changed = false;
        for (o, name, size, freed) in blocks {
            if freed {
                self.open.insert(o, None); // closed: its last bytes stay on its card
                continue;
            }
            let file = self
                .open
                .entry(o)
                .or_insert_with(|| path_of(&name).and_then(|p| File::open(p).ok()));
            let Some(f) = file else { continue };
            let mut buf = vec![0; SHOWN.min(size as usize)];
            if let Ok(n) = f.read_at(&mut buf, 0) {
                buf.truncate(n);
                changed |= world.saw_memory(o, world.t, &buf);
            }
        }
        changed
    }

    /// A new run: its objects are others.
    pub fn forget(&mut self) {
        self.open.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{Memory, path_of};
    use crate::event::{Event, ObjectKind, Op};
    use crate::model::World;
    use crate::model::object::ObjectState;

    fn seen(world: &World) -> Vec<u8> {
        match &world.objects[0].state {
            ObjectState::SharedMemory { bytes: Some(b), .. } => b.bytes.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// A real block under /dev/shm, as a traced program's: read when its object appears,
    /// again as it changes, and still after its name is removed.
    #[test]
    fn a_blocks_bytes_are_read_from_the_block_itself() {
        let name = format!("threadlanes-test-{}", std::process::id());
        let path = std::path::Path::new("/dev/shm").join(&name);
        std::fs::write(&path, [1u8, 2, 3, 4]).expect("/dev/shm is writable");
        let mut world = World::default();
        world.apply(&Event {
            t: 0,
            pid: 1,
            w: 0,
            op: Op::Object {
                o: 1,
                name: name.clone(),
                kind: ObjectKind::SharedMemory,
                capacity: Some(4),
            },
        });
        let mut memory = Memory::default();
        assert!(memory.read_into(&mut world));
        assert_eq!(seen(&world), [1, 2, 3, 4]);
        assert!(!memory.read_into(&mut world), "nothing changed");
        std::fs::write(&path, [9u8, 2, 3, 4]).unwrap();
        assert!(memory.read_into(&mut world));
        assert_eq!(seen(&world), [9, 2, 3, 4]);
        std::fs::remove_file(&path).unwrap();
        assert!(
            !memory.read_into(&mut world),
            "unlinked: still read, unchanged"
        );
        assert_eq!(seen(&world), [9, 2, 3, 4]);
        // The program says it unlinked it, and nobody maps it: the viewer lets it go.
        world.apply(&Event {
            t: 1,
            pid: 1,
            w: 0,
            op: Op::Unlink { o: 1 },
        });
        assert!(!memory.read_into(&mut world));
        assert!(memory.open.get(&1).is_some_and(|f| f.is_none()), "let go");
        assert_eq!(seen(&world), [9, 2, 3, 4], "its last bytes stay");
    }

    #[test]
    fn only_a_plain_name_is_a_block() {
        assert_eq!(
            path_of("psm_1a2b").unwrap().to_str(),
            Some("/dev/shm/psm_1a2b")
        );
        for bad in ["", ".", "..", "../etc/passwd", "a/b"] {
            assert!(path_of(bad).is_none(), "{bad}");
        }
    }
}
