//! Real shared memory between processes: a `memfd` mapped `MAP_SHARED` by the parent and by
//! each child it is passed to, cut into slots. Each slot holds an integer (`SharedValue`), a
//! process-shared, robust pthread mutex (`SharedLock`), and a counter for start barriers.
//!
//! The mutex is robust: if its holder dies, the next `lock` returns `EOWNERDEAD` instead of
//! blocking for ever, and the taker makes it consistent. (Python's `multiprocessing.Lock`
//! is a POSIX semaphore with no such notion: there, a lock whose holder was killed stays
//! taken.) Events of lock ops carry `"after"`: an acquire is ordered after the line of the
//! release (or the dead holder's acquire) it followed, so the model sees one true order of
//! the lock's owners across processes.

use super::child;
use crate::event::{ObjectKind, Op};
use crate::probe::core::declare;
use crate::probe::session::{Res, current_worker};
use crate::probe::yield_now;
use std::cell::UnsafeCell;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};

/// One slot of shared memory.
#[repr(C)]
pub struct Slot {
    mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// A `SharedValue`'s integer: plain loads and stores, no read-modify-write.
    value: AtomicI64,
    /// Pid of the process holding the mutex, 0 if none.
    holder: AtomicU32,
    /// The line (pid, number) of the lock's latest acquire or release.
    after_pid: AtomicU32,
    after_line: AtomicU64,
    /// Processes that reached a start barrier.
    count: AtomicU64,
}

impl Slot {
    /// The line of the latest op on this slot's object, if any.
    fn after(&self) -> Option<(u32, u64)> {
        Some((
            self.after_pid.load(Ordering::SeqCst),
            self.after_line.load(Ordering::SeqCst),
        ))
        .filter(|a| a.0 != 0)
    }

    /// This process's line `line` is now the latest op on the object.
    fn set_after(&self, line: u64) {
        self.after_pid.store(std::process::id(), Ordering::SeqCst);
        self.after_line.store(line, Ordering::SeqCst);
    }

    /// Takes the mutex (stoppably); returns true if its holder had died (EOWNERDEAD).
    fn lock(&self) -> Res<bool> {
        let rc = loop {
            let rc = timed_lock(self.mutex.get());
            if rc != libc::ETIMEDOUT {
                break rc;
            }
            yield_now()?;
        };
        assert!(
            rc == 0 || rc == libc::EOWNERDEAD,
            "pthread_mutex_timedlock failed: {}",
            io::Error::from_raw_os_error(rc)
        );
        if rc == libc::EOWNERDEAD {
            // SAFETY: we hold the mutex (EOWNERDEAD grants it); consistent marks it usable.
            unsafe { libc::pthread_mutex_consistent(self.mutex.get()) };
        }
        Ok(rc == libc::EOWNERDEAD)
    }

    fn unlock(&self) {
        // SAFETY: called only by the holder.
        unsafe { libc::pthread_mutex_unlock(self.mutex.get()) };
    }
}

/// A shared memory region of `n` slots.
pub struct Shm {
    fd: OwnedFd,
    ptr: *mut Slot,
    n: usize,
}

// SAFETY: the slots are only accessed through atomics and a process-shared mutex.
unsafe impl Send for Shm {}
unsafe impl Sync for Shm {}

/// Why shared memory could not be made or mapped. A scenario says so (`report`) rather than
/// panic: a machine without `memfd` cannot show the lesson, but the run ends cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ShmError {
    #[error("shared memory is not available here (memfd_create: {0})")]
    NoMemfd(io::Error),
    #[error("the shared memory could not be sized (ftruncate: {0})")]
    Size(io::Error),
    #[error("the shared memory could not be mapped (mmap: {0})")]
    Map(io::Error),
    #[error("a process-shared lock could not be made in the shared memory: {0}")]
    Mutex(io::Error),
}

impl ShmError {
    /// Says why the scenario cannot run, in the current worker's lane and as its outcome (a
    /// failed one); a role or main returns this to end at once.
    pub fn report(&self) -> Res<()> {
        crate::probe::say(format!("cannot run: {self}"))?;
        crate::probe::outcome(format!("not run: {self}"), false);
        Ok(())
    }
}

impl Shm {
    /// A fresh region of `n` slots: values 0, mutexes free (process-shared and robust).
    pub fn create(n: usize) -> Result<Arc<Shm>, ShmError> {
        let len = n * std::mem::size_of::<Slot>();
        // SAFETY: memfd_create with a NUL-terminated name; the result is checked.
        let raw = unsafe { libc::memfd_create(c"threadlanes-shm".as_ptr(), libc::MFD_CLOEXEC) };
        if raw < 0 {
            return Err(ShmError::NoMemfd(io::Error::last_os_error()));
        }
        // SAFETY: `raw` is a new descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: ftruncate on our descriptor.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) } != 0 {
            return Err(ShmError::Size(io::Error::last_os_error()));
        }
        let shm = Shm::map(fd, n)?;
        for i in 0..n {
            shm.init_mutex(i).map_err(ShmError::Mutex)?;
        }
        Ok(Arc::new(shm))
    }

    /// The region passed to this child as descriptor `fd`.
    pub fn open(fd: RawFd, n: usize) -> Result<Arc<Shm>, ShmError> {
        // SAFETY: the parent passed this descriptor to us for this purpose; we own it now.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Arc::new(Shm::map(fd, n)?))
    }

    fn map(fd: OwnedFd, n: usize) -> Result<Shm, ShmError> {
        let len = n * std::mem::size_of::<Slot>();
        // SAFETY: a fresh shared mapping of our descriptor; checked for failure.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(ShmError::Map(io::Error::last_os_error()));
        }
        Ok(Shm {
            fd,
            ptr: ptr.cast(),
            n,
        })
    }

    fn init_mutex(&self, i: usize) -> io::Result<()> {
        // SAFETY: the attribute is initialised before use and destroyed after; the mutex
        // lives in our mapping and nobody else uses it yet.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            libc::pthread_mutexattr_init(&mut attr);
            libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
            libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST);
            let rc = libc::pthread_mutex_init(self.slot(i).mutex.get(), &attr);
            libc::pthread_mutexattr_destroy(&mut attr);
            if rc != 0 {
                return Err(io::Error::from_raw_os_error(rc));
            }
        }
        Ok(())
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    fn slot(&self, i: usize) -> &Slot {
        assert!(i < self.n, "slot {i} of {}", self.n);
        // SAFETY: in bounds of our mapping, which lives as long as `self`.
        unsafe { &*self.ptr.add(i) }
    }

    /// The integer in slot `i`, without an event (for outcomes).
    pub fn value(&self, i: usize) -> i64 {
        self.slot(i).value.load(Ordering::SeqCst)
    }

    pub fn set_value(&self, i: usize, v: i64) {
        self.slot(i).value.store(v, Ordering::SeqCst)
    }

    /// `value += 1` on slot `i` as a separate load and store, with no event and no pause:
    /// for bursts too fast to draw.
    pub fn bump(&self, i: usize) {
        let v = &self.slot(i).value;
        v.store(v.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Raises slot `i`'s flag (a child tells the parent it reached a point).
    pub fn mark(&self, i: usize) {
        self.slot(i).count.store(1, Ordering::SeqCst);
    }

    /// True once slot `i`'s flag is raised.
    pub fn marked(&self, i: usize) -> bool {
        self.slot(i).count.load(Ordering::SeqCst) != 0
    }

    /// Pid of the process that holds slot `i`'s lock, if any.
    pub fn holder(&self, i: usize) -> Option<u32> {
        Some(self.slot(i).holder.load(Ordering::SeqCst)).filter(|p| *p != 0)
    }

    /// Waits (stoppably) until `n` processes have arrived at slot `i`'s
    /// barrier: a start line so that the processes really run at the same time.
    pub fn barrier(&self, i: usize, n: u64) -> Res<()> {
        let s = self.slot(i);
        s.count.fetch_add(1, Ordering::SeqCst);
        // Spins (checking for a stop now and then): the processes must leave together.
        let mut spins = 0u32;
        while s.count.load(Ordering::SeqCst) < n {
            std::hint::spin_loop();
            spins += 1;
            if spins.is_multiple_of(4096) {
                yield_now()?;
            }
        }
        Ok(())
    }
}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `map` mapped.
        unsafe { libc::munmap(self.ptr.cast(), self.n * std::mem::size_of::<Slot>()) };
    }
}

/// A child's view of an integer in shared memory (Python's `multiprocessing.Value`), read
/// and written as separate operations, as `value.value += 1` is.
pub struct SharedValue {
    shm: Arc<Shm>,
    slot: usize,
    o: u32,
}

impl SharedValue {
    /// Declares the value under `name` (the parent declared it too: one object in the model).
    pub fn open(shm: &Arc<Shm>, slot: usize, name: &str) -> SharedValue {
        SharedValue {
            shm: shm.clone(),
            slot,
            o: declare(name, ObjectKind::Value, None, ()).id,
        }
    }

    pub fn read(&self) -> Res<i64> {
        let me = current_worker();
        me.gate("read", Some(self.o))?;
        let value = self.shm.slot(self.slot).value.load(Ordering::SeqCst);
        me.emit(Op::Read {
            o: self.o,
            value: value.into(),
            index: None,
        });
        Ok(value)
    }

    pub fn write(&self, value: i64) -> Res<()> {
        let me = current_worker();
        me.gate("write", Some(self.o))?;
        self.shm
            .slot(self.slot)
            .value
            .store(value, Ordering::SeqCst);
        me.emit(Op::Write {
            o: self.o,
            value: value.into(),
            index: None,
        });
        Ok(())
    }
}

/// A child's view of a process-shared robust mutex in shared memory.
pub struct SharedLock {
    shm: Arc<Shm>,
    slot: usize,
    o: u32,
    name: String,
}

/// Held while alive; dropping it releases the lock — also when a panic unwinds through it.
pub struct SharedGuard<'a> {
    lock: &'a SharedLock,
}

impl SharedLock {
    pub fn open(shm: &Arc<Shm>, slot: usize, name: &str) -> SharedLock {
        SharedLock {
            shm: shm.clone(),
            slot,
            o: declare(name, ObjectKind::Lock, None, ()).id,
            name: name.to_string(),
        }
    }

    /// Takes the lock, waiting as long as it takes (stoppably). A lock whose holder died is
    /// taken over: the OS says EOWNERDEAD, and the lane says the lock was abandoned.
    pub fn acquire(&self) -> Res<SharedGuard<'_>> {
        let me = current_worker();
        me.gate("acquire", Some(self.o))?;
        me.emit(Op::AcquireBegin { o: self.o });
        drop(me);
        let s = self.shm.slot(self.slot);
        let abandoned = s.lock()?;
        let mut after = s.after();
        if abandoned {
            // After the dead holder's end (its exit shows before this takeover).
            after = Some((s.holder.load(Ordering::SeqCst), u64::MAX));
            let text = format!(
                "{} was ABANDONED: its holder (pid {}) died holding it; \
                 pthread_mutex_lock said EOWNERDEAD, so this process made it consistent and \
                 took it over",
                lock_label(&self.name),
                s.holder.load(Ordering::SeqCst)
            );
            child::direct(Op::Say { text }, after);
        }
        s.holder.store(std::process::id(), Ordering::SeqCst);
        let line = child::direct(
            Op::AcquireEnd {
                o: self.o,
                ok: true,
                depth: None,
                value: None,
            },
            after,
        );
        s.set_after(line);
        Ok(SharedGuard { lock: self })
    }
}

/// Held while alive, with no events: for bursts too fast to draw.
pub struct QuietGuard<'a> {
    m: *mut libc::pthread_mutex_t,
    _lock: &'a SharedLock,
}

impl SharedLock {
    /// Takes the lock with no events (a holder that died is taken over silently).
    pub fn quiet(&self) -> QuietGuard<'_> {
        let m = self.shm.slot(self.slot).mutex.get();
        // SAFETY: the mutex lives in a live mapping.
        unsafe {
            if libc::pthread_mutex_lock(m) == libc::EOWNERDEAD {
                libc::pthread_mutex_consistent(m);
            }
        }
        QuietGuard { m, _lock: self }
    }
}

impl Drop for QuietGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: we hold the mutex (taken in `quiet`).
        unsafe { libc::pthread_mutex_unlock(self.m) };
    }
}

impl Drop for SharedGuard<'_> {
    fn drop(&mut self) {
        let l = self.lock;
        let s = l.shm.slot(l.slot);
        if std::thread::panicking() {
            let text = format!(
                "a panic unwinds through the holder of {}: its guard's drop runs, so the \
                 lock is RELEASED, not abandoned",
                lock_label(&l.name)
            );
            child::direct(Op::Say { text }, None);
        }
        let line = child::direct(
            Op::Release {
                o: l.o,
                depth: None,
                value: None,
            },
            None,
        );
        s.set_after(line);
        s.holder.store(0, Ordering::SeqCst);
        s.unlock();
    }
}

/// Locks with a 50 ms deadline, so a waiting worker can notice it must stop.
fn timed_lock(m: *mut libc::pthread_mutex_t) -> i32 {
    // SAFETY: `ts` is ours; the mutex lives in a live mapping.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts);
        ts.tv_nsec += 50_000_000;
        if ts.tv_nsec >= 1_000_000_000 {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1_000_000_000;
        }
        libc::pthread_mutex_timedlock(m, &ts)
    }
}

/// One end of a queue between processes (Python's `multiprocessing.Queue`): items travel
/// through a real OS pipe; a process-shared mutex in shared memory guards the depth and
/// orders the queue's events across the processes.
pub struct SharedQueue {
    shm: Arc<Shm>,
    slot: usize,
    o: u32,
    pipe: std::fs::File,
    reader: Option<std::io::BufReader<std::fs::File>>,
}

impl SharedQueue {
    /// The queue `name` over the pipe end `fd` (the read end if `read`).
    pub fn open(shm: &Arc<Shm>, slot: usize, name: &str, fd: RawFd, read: bool) -> SharedQueue {
        // SAFETY: the parent passed this pipe end to us; we own it now.
        let pipe = unsafe { std::fs::File::from_raw_fd(fd) };
        let reader = read.then(|| std::io::BufReader::new(pipe.try_clone().expect("dup")));
        SharedQueue {
            shm: shm.clone(),
            slot,
            o: declare(name, ObjectKind::Queue, Some(0), ()).id,
            pipe,
            reader,
        }
    }

    pub fn put(&mut self, item: &str) -> Res<()> {
        use std::io::Write;
        let me = current_worker();
        me.gate("put", Some(self.o))?;
        me.emit(Op::PutBegin {
            o: self.o,
            item: item.to_string(),
        });
        drop(me);
        let s = self.shm.slot(self.slot);
        s.lock()?;
        // One short line is one atomic pipe write.
        let _ = writeln!(self.pipe, "{item}");
        let depth = s.value.fetch_add(1, Ordering::SeqCst) + 1;
        let op = Op::PutEnd {
            o: self.o,
            item: item.to_string(),
            depth: depth as u64,
            ok: true,
        };
        let line = child::direct(op, s.after());
        s.set_after(line);
        s.unlock();
        Ok(())
    }

    /// Blocks until an item comes through the pipe.
    pub fn get(&mut self) -> Res<String> {
        use std::io::BufRead;
        let me = current_worker();
        me.gate("get", Some(self.o))?;
        me.emit(Op::GetBegin { o: self.o });
        drop(me);
        let mut item = String::new();
        let r = self.reader.as_mut().expect("the read end");
        if r.read_line(&mut item).unwrap_or(0) == 0 {
            return Err(crate::probe::Stop::Cancelled);
        }
        let item = item.trim_end().to_string();
        let s = self.shm.slot(self.slot);
        s.lock()?;
        let depth = s.value.fetch_sub(1, Ordering::SeqCst) - 1;
        let op = Op::GetEnd {
            o: self.o,
            item: Some(item.clone()),
            depth: depth.max(0) as u64,
            ok: true,
        };
        let line = child::direct(op, s.after());
        s.set_after(line);
        s.unlock();
        Ok(item)
    }
}

/// A pipe whose ends children inherit: (read end, write end), close-on-exec here.
pub fn os_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two descriptors we pass.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A process-shared lock named in the model's words ("lock", not "lock lock").
fn lock_label(name: &str) -> String {
    crate::model::describe::label(crate::event::ObjectKind::Lock, name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Op, WorkerKind};
    use crate::probe::{Free, attach};

    /// A machine without memfd: the scenario says why in its lane and fails its outcome.
    #[test]
    fn a_missing_memfd_is_reported_not_a_panic() {
        let (s, events) = Free::session();
        attach(&s, "main", WorkerKind::Main);
        let no_memfd = ShmError::NoMemfd(io::Error::from_raw_os_error(libc::ENOSYS));
        assert_eq!(no_memfd.report(), Ok(()));
        let outcome = events.try_iter().find_map(|e| match e.op {
            Op::Outcome { text, ok } => Some((text, ok)),
            _ => None,
        });
        let (text, ok) = outcome.expect("an outcome");
        assert!(!ok);
        assert!(text.contains("shared memory is not available"), "{text}");
    }
}
