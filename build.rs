//! Builds `native/` (the traced Python program's hot path, a CPython abi3 extension module)
//! with the same cargo into its own target directory, and leaves the library in `OUT_DIR`
//! for `src/trace/native.rs` to carry in the binary. If it cannot be built (no C toolchain
//! for the linker, an unsupported platform), the file is left empty and traced programs use
//! the shim's pure-Python path: threadlanes still builds and works, only slower to trace.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    for f in ["native/src", "native/Cargo.toml", "native/Cargo.lock"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=THREADLANES_NO_NATIVE");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dest = out.join("_threadlanes_native.so");
    let bytes = match build(&out) {
        Ok(lib) => std::fs::read(&lib).unwrap_or_else(|e| {
            println!(
                "cargo:warning=threadlanes: cannot read {}: {e}",
                lib.display()
            );
            Vec::new()
        }),
        Err(why) => {
            println!(
                "cargo:warning=threadlanes: native trace path not built ({why}); traced Python programs use the pure-Python path"
            );
            Vec::new()
        }
    };
    std::fs::write(&dest, bytes).expect("OUT_DIR is writable");
}

/// Runs `cargo build --release` on native/; the built library's path.
fn build(out: &Path) -> Result<PathBuf, String> {
    if std::env::var_os("THREADLANES_NO_NATIVE").is_some() {
        return Err("THREADLANES_NO_NATIVE is set".into());
    }
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if family != "unix" {
        return Err(format!("no Unix socket shim on {os}"));
    }
    let target = std::env::var("TARGET").map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("native/Cargo.toml");
    let dir = out.join("native-target");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--target",
            &target,
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&dir)
        // The outer build's flags are for threadlanes (a coverage or sanitizer run's would
        // break a module CPython loads); the jobserver (CARGO_MAKEFLAGS) is shared.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of native/ failed ({status})"));
    }
    let ext = if os == "macos" { "dylib" } else { "so" };
    let lib = dir
        .join(&target)
        .join("release")
        .join(format!("lib_threadlanes_native.{ext}"));
    lib.exists()
        .then_some(lib)
        .ok_or_else(|| "the built library is not where cargo puts it".into())
}
