//! The scenario catalogue: one file per scenario, each a few short functions in the
//! tutorial's terms; the machinery lives in `probe` and `runner`. What every scenario
//! declares is in `info.rs` (`param`, `variant`); the shapes their code repeats (a thread
//! started with its arguments, `join_all`, the counters an outcome reads) are in `kit.rs`.

pub mod info;
mod kit;

mod bank;
mod coroutines;
mod daemon;
mod deadlock;
mod gil;
mod join;
mod lock;
mod lock_hold;
mod manager;
mod panic;
mod pipe;
mod process_pool;
mod process_queue;
mod processes;
mod producer_consumer;
mod queue_kinds;
mod queue_results;
mod race;
mod rlock;
mod semaphore;
mod shared_value;
mod stop_flag;
mod stress;
mod thread_pool;
mod traffic_light;

use crate::probe::Res;
pub use info::{Config, Info, Param, Variant, param, variant};

/// A scenario: what it says about itself and the main function that runs it.
pub struct Scenario {
    pub info: Info,
    pub main: fn(&Config) -> Res<()>,
}

/// Every scenario, in teaching order.
pub fn all() -> &'static [Scenario] {
    static ALL: &[Scenario] = &[
        join::SCENARIO,
        daemon::SCENARIO,
        stop_flag::SCENARIO,
        queue_results::SCENARIO,
        race::SCENARIO,
        bank::SCENARIO,
        lock::SCENARIO,
        lock_hold::SCENARIO,
        rlock::SCENARIO,
        deadlock::SCENARIO,
        semaphore::SCENARIO,
        traffic_light::SCENARIO,
        queue_kinds::SCENARIO,
        producer_consumer::SCENARIO,
        thread_pool::SCENARIO,
        coroutines::SCENARIO,
        gil::SCENARIO,
        processes::SCENARIO,
        process_pool::SCENARIO,
        process_queue::SCENARIO,
        pipe::SCENARIO,
        manager::SCENARIO,
        shared_value::SCENARIO,
        panic::SCENARIO,
        stress::SCENARIO,
    ];
    ALL
}

/// What a child process of a process scenario runs: the role table the binary gives
/// `process::child::main_if_child`.
pub fn child_role(scenario: &str, role: &str) -> Option<crate::process::child::Role> {
    match scenario {
        "processes" => processes::role(role),
        "shared-value" => shared_value::role(role),
        "process-pool" => process_pool::role(role),
        "process-queue" => process_queue::role(role),
        "pipe" => pipe::role(role),
        "manager" => manager::role(role),
        "gil" => gil::role(role),
        _ => None,
    }
}

pub fn find(name: &str) -> Option<&'static Scenario> {
    all().iter().find(|s| s.info.name == name)
}

/// Every scenario's name, for error messages.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.info.name).collect()
}

/// The infos alone, for the picker.
pub fn infos() -> Vec<Info> {
    all().iter().map(|s| s.info).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_of_a_scenario_with_several_says_what_to_watch_in_it() {
        for s in all() {
            let i = &s.info;
            for v in i.variants.iter().filter(|_| i.variants.len() > 1) {
                assert!(
                    v.explain.is_some(),
                    "{} {}: no text of its own",
                    i.name,
                    v.name
                );
                assert!(i.explain_for(v.name).ends_with(v.explain.unwrap_or("")));
            }
        }
    }

    #[test]
    fn a_version_names_only_parameters_its_scenario_has() {
        for s in all() {
            let i = &s.info;
            for v in i.variants {
                for name in v.params.unwrap_or(&[]) {
                    assert!(
                        i.params.iter().any(|p| p.name == *name),
                        "{} {}: no parameter {name}",
                        i.name,
                        v.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_version_shows_and_changes_only_the_parameters_it_uses() {
        let info = &find("daemon").unwrap().info;
        let mut cfg = Config::default_for(info);
        assert_eq!(cfg.shown_params(info), vec![("workers", 5)]);
        cfg.variant = "reader-writer";
        assert_eq!(cfg.shown_params(info), vec![("q_at", 7)]);
        // The first parameter is not this version's: [ ] change the next one that is.
        assert_eq!(
            info.param_at("reader-writer", 0).map(|p| p.name),
            Some("q_at")
        );
        assert_eq!(info.param_at("daemon", 1).map(|p| p.name), Some("workers"));
        let race = &find("race").unwrap().info;
        assert_eq!(
            race.param_at("with-lock", 0).map(|p| p.name),
            Some("rounds")
        );
        assert_eq!(find("deadlock").unwrap().info.param_at("self", 0), None);
    }
}
