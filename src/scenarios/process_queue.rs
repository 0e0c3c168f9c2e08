//! `process-queue`: a writer process puts items into a queue between processes, a reader
//! process gets them in a loop that never ends; main terminates the reader at the end.

use super::{Config, Info, Scenario, param};
use crate::event::ObjectKind;
use crate::probe::{Res, outcome, say, sleep};
use crate::process::child;
use crate::process::shm::{SharedQueue, Shm, os_pipe};
use crate::process::{Process, shared_object};
use serde_json::{Value, json};
use std::os::fd::AsRawFd;

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "process-queue",
        title: "A queue between processes; the reader terminated",
        lesson: "a multiprocessing Queue carries items between processes; a reader that loops for ever must be terminated",
        explain: "Main makes a Queue and starts two processes: a writer that puts a, b, c, d \
(resting a moment between them) and a reader that gets items in a `while True` loop.\n\n\
The queue is what multiprocessing.Queue is underneath: a real OS pipe between the two \
processes that carries the items, and a lock in shared memory that the processes take \
around each put and get (here it also keeps the queue's depth). Watch the queue object \
fill and empty, and the reader's lane wait in get while it is empty.\n\n\
Main joins the writer. The reader's loop never ends, so joining it would wait for ever: \
main waits until the queue is empty and then terminates it (SIGTERM, as \
Process.terminate() does). Its lane ends as killed, with its exit status.",
        variants: &[],
        params: &[param("items", "items the writer puts", 4, 1, 26)],
    },
    main,
};

pub fn role(name: &str) -> Option<child::Role> {
    match name {
        "write" => Some(write),
        "read" => Some(read),
        _ => None,
    }
}

fn main(cfg: &Config) -> Res<()> {
    let shm = Shm::create(1).expect("shared memory (memfd) is available");
    let (r, w) = os_pipe().expect("a pipe");
    shared_object("q", ObjectKind::Queue, Some(0));
    let items: Vec<String> = (0..cfg.get("items"))
        .map(|i| ((b'a' + i as u8) as char).to_string())
        .collect();
    let fds = |p: Process| p.shm(&shm).fd(r.as_raw_fd()).fd(w.as_raw_fd());
    let writer = fds(Process::new("writer", "process-queue", "write"))
        .args(json!({ "items": items }))
        .start()?;
    let reader = fds(Process::new("reader", "process-queue", "read")).start()?;
    writer.join()?;
    while shm.value(0) > 0 && reader.is_alive() {
        sleep(0.05)?;
    }
    say("the queue is empty; the reader loops for ever: terminate it")?;
    reader.terminate()?;
    let ended = reader.join()?;
    let left = shm.value(0);
    let ok = left == 0 && ended.signal == Some(libc::SIGTERM);
    outcome(
        format!(
            "the writer put {} items, the reader got them all ({} left), then was terminated: {}",
            items.len(),
            left,
            ended.words()
        ),
        ok,
    );
    Ok(())
}

fn queue(read: bool) -> SharedQueue {
    let fds = child::fds();
    let shm = Shm::open(fds[0], 1).expect("the shared page maps");
    let (fd, other) = if read {
        (fds[1], fds[2])
    } else {
        (fds[2], fds[1])
    };
    // The end this process does not use is closed, as a real program would.
    // SAFETY: the parent passed this descriptor to us and nothing else uses it.
    unsafe { libc::close(other) };
    SharedQueue::open(&shm, 0, "q", fd, read)
}

fn write(args: &Value) -> Res<()> {
    let mut q = queue(false);
    for item in args["items"].as_array().into_iter().flatten() {
        let item = item.as_str().unwrap_or("?");
        say(format!("put value: {item} in queue"))?;
        q.put(item)?;
        sleep(0.4)?;
    }
    Ok(())
}

fn read(_: &Value) -> Res<()> {
    let mut q = queue(true);
    loop {
        let item = q.get()?;
        say(format!("get value: {item} from queue"))?;
    }
}
