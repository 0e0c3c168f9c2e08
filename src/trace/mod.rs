//! The Python shim `threadlanes trace` puts under a traced program (`assets/python/`): the
//! files, and where they go. At run time they are written to a private directory that goes
//! first on `PYTHONPATH`; its `sitecustomize` loads the shim in every Python process of the
//! program (and then any sitecustomize the user had). Each process then connects to the
//! Unix socket named in `THREADLANES_SOCKET` and sends JSON Lines. Running the program and
//! reading it is `source::traced`'s; this module only knows the shim's files.

use std::path::Path;

const SHIM: &str = include_str!("../../assets/python/threadlanes_shim.py");
const SITECUSTOMIZE: &str = include_str!("../../assets/python/sitecustomize.py");

/// Writes the shim's files into `dir`.
pub fn install(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("_threadlanes_shim.py"), SHIM)?;
    std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)
}

/// `dir` first, then whatever PYTHONPATH the user had.
pub fn python_path(dir: &Path) -> std::ffi::OsString {
    let mut p = dir.as_os_str().to_owned();
    if let Some(old) = std::env::var_os("PYTHONPATH").filter(|o| !o.is_empty()) {
        p.push(":");
        p.push(old);
    }
    p
}
