//! `threadlanes::sync` with no viewer: the types behave as the ones they replace.

mod rust_sync_cases;

#[test]
fn the_sync_types_keep_their_semantics_untraced() {
    // SAFETY: no other thread of this test binary reads the environment yet.
    unsafe { std::env::remove_var("THREADLANES_SOCKET") };
    rust_sync_cases::all();
}
