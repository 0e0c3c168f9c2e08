//! The Python shim `threadlanes trace` puts under a traced program (`assets/python/`): the
//! files, and where they go. At run time they are written to a private directory that goes
//! first on `PYTHONPATH`; its `sitecustomize` loads the shim in every Python process of the
//! program (and then any sitecustomize the user had). Each process then connects to the
//! Unix socket named in `THREADLANES_SOCKET` and sends JSON Lines. Running the program and
//! reading it is `source::traced`'s; this module only knows the shim's files.

pub mod docstring;

use std::path::Path;

const SHIM: &str = include_str!("../../assets/python/threadlanes_shim.py");
const SITECUSTOMIZE: &str = include_str!("../../assets/python/sitecustomize.py");
/// The shim's native hot path (`native/`, built by build.rs): a CPython abi3 extension
/// module, or empty if it could not be built here (the shim then stays pure Python).
const NATIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/_threadlanes_native.so"));

/// True if this binary carries the shim's native hot path.
pub fn has_native() -> bool {
    !NATIVE.is_empty()
}

/// Writes the shim's files into `dir`.
pub fn install(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("_threadlanes_shim.py"), SHIM)?;
    if has_native() {
        // The name CPython's import looks for from 3.2 on for a stable-ABI module.
        std::fs::write(dir.join("_threadlanes_native.abi3.so"), NATIVE)?;
    }
    std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)
}

/// Whether `argv` starts a Python interpreter (`python3`, `/usr/bin/python3.12`): what the
/// shim can trace, whose options and script its command line names.
pub fn runs_python(argv: &[String]) -> bool {
    argv.first()
        .and_then(|p| Path::new(p).file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("python"))
}

/// The interpreter option of `argv` that keeps the shim out (`-I` or `-E` ignore PYTHONPATH,
/// `-S` skips sitecustomize), if `argv` runs Python with one: such a program would run with
/// nothing of it traced, so it is not started. Reads options up to the script, `-c` or `-m`.
pub fn shim_kept_out(argv: &[String]) -> Option<String> {
    if !runs_python(argv) {
        return None;
    }
    let (_, args) = argv.split_first()?;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(flags) = a.strip_prefix('-') else {
            return None; // the script
        };
        if flags.is_empty() || flags == "-" {
            return None; // stdin, or the end of options
        }
        if flags.starts_with('-') {
            continue; // a long option (--version, --check-hash-based-pycs's value is not one)
        }
        for (i, c) in flags.char_indices() {
            match c {
                'I' | 'E' | 'S' => return Some(format!("-{c}")),
                'c' | 'm' => return None,
                'X' | 'W' => {
                    if i + 1 == flags.len() {
                        it.next(); // its value is the next argument
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    None
}

/// What a shell sets `_` to for the program it starts (`program` as typed if it names a
/// path, else where PATH finds it): the program started by `trace` sees the `_` it would
/// have seen started by the shell itself, not threadlanes' own path.
pub fn shell_underscore(program: &str) -> Option<std::ffi::OsString> {
    use std::os::unix::fs::PermissionsExt;
    if program.contains('/') {
        return Some(program.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .map(|p| p.into_os_string())
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

#[cfg(test)]
mod tests {
    use super::shim_kept_out;

    fn kept_out(argv: &str) -> Option<String> {
        let v: Vec<String> = argv.split(' ').map(String::from).collect();
        shim_kept_out(&v)
    }

    #[test]
    fn python_options_that_keep_the_shim_out_are_found_before_the_script_only() {
        assert_eq!(kept_out("python3 -I app.py").as_deref(), Some("-I"));
        assert_eq!(
            kept_out("/usr/bin/python3.11 -u -S app.py").as_deref(),
            Some("-S")
        );
        assert_eq!(kept_out("python3 -bE app.py").as_deref(), Some("-E"));
        assert_eq!(
            kept_out("python3 -X dev -W error -Es -c pass").as_deref(),
            Some("-E")
        );
        assert_eq!(kept_out("python3 app.py -I"), None);
        assert_eq!(kept_out("python3 -c import sys -I"), None);
        assert_eq!(kept_out("python3 -mI"), None);
        assert_eq!(
            kept_out("python3 -X importtime -S app.py").as_deref(),
            Some("-S")
        );
        assert_eq!(kept_out("python3 -W -I app.py"), None);
        assert_eq!(kept_out("node -I app.js"), None);
        assert_eq!(kept_out("python3"), None);
    }
}
