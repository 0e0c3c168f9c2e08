//! The App over a source it was given, that runs on its own (a traced program): the keys it
//! offers are the source's controls, and quitting works over every overlay. And keys whose
//! words matter on their own: the picker's help, tab outside step mode.

use super::App;
use crate::keys::{self, Action};
use crate::runner::Mode;
use crate::scenarios::Info;
use crate::source::traced::{Options, Output, TracedSource};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

static ABOUT: Info = Info {
    name: "trace",
    title: "sleep 30",
    lesson: "a program that runs a while",
    explain: "",
    variants: &[],
    params: &[],
};

/// An App on a traced program that would run for a while (no Python needed).
fn traced_app() -> App {
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: true,
    };
    let argv = ["sleep".to_string(), "30".to_string()];
    let source = TracedSource::start(&argv, &opts).expect("sleep starts");
    App::watching(Box::new(source), &ABOUT, 1.0)
}

/// q and Ctrl-C quit even while the details or the help are open; Esc closes them first.
#[test]
fn q_and_ctrl_c_quit_over_an_overlay() {
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    for key in [q, ctrl_c] {
        for open in [Action::ToggleHelp, Action::Enter] {
            let mut app = traced_app();
            app.update(open);
            app.update(Action::Back);
            assert!(!app.quit, "esc closes the overlay first");
            app.update(open);
            let a = keys::action_for(&key, app.in_picker()).expect("a bound key");
            app.update(a);
            assert!(app.quit, "{key:?} over {open:?} quits");
            app.stop_run();
        }
    }
}

/// A source that runs on its own offers no run control: those keys say why and change
/// nothing, and the help does not list them.
#[test]
fn run_control_is_refused_with_a_reason() {
    let mut app = traced_app();
    // (Step is offered: a traced program's threads wait at their gates in step mode.)
    for a in [Action::Restart, Action::ToggleVariant, Action::Faster] {
        app.update(a);
        assert!(
            app.flash_text()
                .is_some_and(|f| f.contains("runs on its own")),
            "{a:?}"
        );
    }
    assert!(app.all_keys().iter().all(|h| h.key != "r"));
    assert_eq!(
        app.info().name,
        "trace",
        "still the program, not a scenario"
    );
    app.stop_run();
}

/// A finished program's footer shows the keys that still work there: g (and R where the
/// program can start again).
#[test]
fn a_finished_trace_footer_shows_g() {
    let mut app = traced_app();
    app.status.run = crate::view::RunState::Finished;
    let keys: Vec<&str> = app.hints().iter().map(|h| h.key).collect();
    assert!(keys.contains(&"g"), "{keys:?}");
    assert!(
        !keys.contains(&"R"),
        "no R where it cannot start again: {keys:?}"
    );
    app.stop_run();
}

/// Once every worker has ended, step mode offers no step keys: nobody is left to step; a
/// scenario offers to run again.
#[test]
fn a_finished_run_in_step_mode_offers_no_step() {
    let mut app = running(crate::scenarios::find("race").expect("race"));
    app.options.mode = Mode::Step;
    let keys = |app: &App| app.hints().iter().map(|h| h.key).collect::<Vec<_>>();
    assert!(keys(&app).contains(&". →"), "{:?}", keys(&app));
    app.status.run = crate::view::RunState::Finished;
    let k = keys(&app);
    assert!(!k.contains(&". →") && !k.contains(&"tab"), "{k:?}");
    assert!(k.contains(&"r"), "{k:?}");
    app.stop_run();
}

/// A deadlock with nobody outside it leaves nobody to step: the footer offers to run it
/// again, not a step that cannot move anyone.
#[test]
fn a_deadlocked_run_in_step_mode_offers_to_run_again() {
    let mut app = running(crate::scenarios::find("deadlock").expect("deadlock"));
    app.options.mode = Mode::Step;
    app.world.deadlock = Some(vec![1, 2]);
    app.world.still_going.clear();
    let k: Vec<_> = app.hints().into_iter().map(|h| (h.key, h.what)).collect();
    assert!(
        !k.iter().any(|(key, _)| *key == ". →" || *key == "tab"),
        "{k:?}"
    );
    assert!(k.contains(&("r", "run again".into())), "{k:?}");
    assert_eq!(k.iter().filter(|(key, _)| *key == "r").count(), 1, "{k:?}");
    app.stop_run();
}

/// A selected worker that is parked and cannot go is not offered a step; one that can is.
#[test]
fn the_footer_offers_no_step_the_selected_worker_cannot_take() {
    let mut app = running(crate::scenarios::find("race").expect("race"));
    app.options.mode = Mode::Step;
    let hint = |w, ready| crate::view::NextOp {
        w,
        text: "next: acquire lock".into(),
        ready,
        brief: None,
    };
    app.world = crate::model::World::default();
    app.world.apply(&crate::event::Event {
        t: 0,
        pid: 1,
        w: 0,
        op: crate::event::Op::Worker {
            name: "t1".into(),
            kind: crate::event::WorkerKind::Thread,
            daemon: false,
            parent: None,
            thread: None,
        },
    });
    app.view.selected = 0;
    let id = app.world.workers[0].id;
    let keys = |app: &App| app.hints().iter().map(|h| h.key).collect::<Vec<_>>();
    app.next_ops = vec![hint(id, false)];
    assert!(!keys(&app).contains(&". →"), "{:?}", keys(&app));
    assert!(keys(&app).contains(&"tab"));
    app.next_ops = vec![hint(id, true)];
    assert!(keys(&app).contains(&". →"), "{:?}", keys(&app));
    app.stop_run();
}

/// The source comes back to the caller when the App is done, ended, with what it can tell.
#[test]
fn the_source_comes_back_ended() {
    let mut app = traced_app();
    app.stop_run();
    let source = app.into_source().expect("the program's source");
    assert!(source.exit_status().is_some(), "ended, with a status");
}

/// The screen speaks of what runs in the words given with it: its title (a program's
/// command) on the status line, and no scenario's.
#[test]
fn the_words_given_are_the_words_shown() {
    use ratatui::{Terminal, backend::TestBackend};
    let mut app = traced_app();
    let mut term = Terminal::new(TestBackend::new(120, 30)).expect("a test terminal");
    term.draw(|f| app.draw(f)).expect("draws");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for words in ["threadlanes", "trace", "sleep 30"] {
        assert!(screen.contains(words), "no {words:?}: {screen}");
    }
    app.stop_run();
}

/// `?` in the picker opens the help with the picker's keys; `?` or Esc close it (Esc does
/// not quit then), and enter runs the scenario with the help closed.
#[test]
fn the_picker_has_its_help() {
    let mut app = App::new(None);
    assert!(app.in_picker());
    for close in [Action::ToggleHelp, Action::Back] {
        app.update(Action::ToggleHelp);
        assert!(app.view.help, "? opens the help");
        let keys = app.all_keys();
        assert!(keys.iter().any(|h| h.key == "enter"), "{keys:?}");
        assert!(
            keys.iter().all(|h| h.key != "space"),
            "no run keys: {keys:?}"
        );
        app.update(close);
        assert!(!app.view.help && !app.quit, "{close:?} closes it");
    }
    app.update(Action::ToggleHelp);
    app.update(Action::Enter);
    assert!(
        !app.in_picker() && !app.view.help,
        "the run starts with the help closed"
    );
    app.stop_run();
}

/// Tab outside step mode says how to get there, not that nobody can go.
#[test]
fn tab_outside_step_mode_says_what_to_press() {
    let scenario = &crate::scenarios::all()[0];
    let mut app = App::detached(crate::cli::Plan {
        scenario,
        config: crate::scenarios::Config::default_for(&scenario.info),
        options: crate::runner::Options::default(),
    });
    app.update(Action::NextReady);
    assert_eq!(
        app.flash_text(),
        Some("tab picks who goes in step mode: press s first")
    );
}

/// A run chosen in the picker: Esc goes back to the picker (the footer and the help say
/// so); q still quits.
#[test]
fn esc_in_a_picked_run_goes_back_to_the_picker() {
    let mut app = App::new(None);
    app.update(Action::Enter);
    assert!(!app.in_picker());
    assert!(
        app.hints()
            .iter()
            .any(|h| h.key == "esc" && h.what == "list")
    );
    assert!(
        app.all_keys()
            .iter()
            .any(|h| h.key == "esc" && h.what.contains("back to list"))
    );
    app.update(Action::Back);
    assert!(app.in_picker() && !app.quit, "back in the picker");
    app.update(Action::Enter);
    app.update(Action::Quit);
    assert!(app.quit, "q quits");
    app.stop_run();
}

/// Another scenario (n) starts in its defaults: a free run, the log not the graph, whatever
/// the last one was switched to (a seeded replay, the wait-for graph).
#[test]
fn next_scenario_starts_free_with_the_log() {
    use crate::runner::Mode;
    let scenario = &crate::scenarios::all()[0];
    let mut app = App::new(Some(crate::cli::Plan {
        scenario,
        config: crate::scenarios::Config::default_for(&scenario.info),
        options: crate::runner::Options::default(),
    }));
    app.update(Action::Replay);
    app.update(Action::ToggleGraph);
    assert_eq!(app.status.mode, Mode::Seeded);
    assert!(app.view.graph);
    app.update(Action::NextScenario);
    assert_eq!(app.status.mode, Mode::Free, "free again");
    assert!(!app.view.graph, "the log again");
    app.stop_run();
}

/// An App running `scenario` in its defaults, as `threadlanes run NAME` starts it.
fn running(scenario: &'static crate::scenarios::Scenario) -> App {
    App::new(Some(crate::cli::Plan {
        scenario,
        config: crate::scenarios::Config::default_for(&scenario.info),
        options: crate::runner::Options::default(),
    }))
}

/// R in a free run starts a seeded run and says so; R again replays that seed.
#[test]
fn r_says_seeded_run_first_and_replaying_after() {
    let mut app = running(&crate::scenarios::all()[0]);
    let seed = app.options.seed;
    app.update(Action::Replay);
    assert_eq!(
        app.flash_text(),
        Some(format!("seeded run: seed {seed}").as_str())
    );
    app.update(Action::Replay);
    assert_eq!(
        app.flash_text(),
        Some(format!("replaying seed {seed}").as_str())
    );
    app.stop_run();
}

/// b in a scenario with one version says why nothing happens.
#[test]
fn b_with_one_version_says_why() {
    let all = crate::scenarios::all();
    let scenario = all.iter().find(|s| s.info.variants.len() < 2).expect("one");
    let mut app = running(scenario);
    app.update(Action::ToggleSplit);
    assert_eq!(
        app.flash_text(),
        Some("one version only: nothing to put beside it")
    );
    app.stop_run();
}

/// Every version is named on the status line at 80 columns, whatever the scenario: its
/// label fits beside the scenario's name, the run's state, the clock and a count of
/// workers in the tens.
#[test]
fn every_version_is_named_on_the_status_line_at_80_columns() {
    use ratatui::{Terminal, backend::TestBackend};
    for scenario in crate::scenarios::all() {
        for v in scenario.info.variants {
            let config = crate::scenarios::Config {
                variant: v.name,
                ..crate::scenarios::Config::default_for(&scenario.info)
            };
            let mut app = App::detached(crate::cli::Plan {
                scenario,
                config,
                options: crate::runner::Options::default(),
            });
            // Workers in the tens: "12/12 alive".
            for w in 0..12 {
                app.feed(crate::event::Event {
                    t: 0,
                    pid: 1,
                    w,
                    op: crate::event::Op::Worker {
                        name: format!("w{w}"),
                        kind: crate::event::WorkerKind::Thread,
                        daemon: false,
                        parent: None,
                        thread: None,
                    },
                });
                app.feed(crate::event::Event {
                    t: 0,
                    pid: 1,
                    w,
                    op: crate::event::Op::Start,
                });
            }
            app.clock_to(1_500_000_000);
            let mut term = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
            term.draw(|f| app.draw(f)).expect("draws");
            let top: String = (0..80)
                .map(|x| term.backend().buffer()[(x, 0)].symbol().to_string())
                .collect();
            assert!(
                top.contains(v.label),
                "{} {}: {:?} not on {top:?}",
                scenario.info.name,
                v.name,
                v.label
            );
        }
    }
}

/// An App with no run behind it, fed main and `n` tasks on it, all awaiting a sleep.
fn thousands_of_tasks(n: u32) -> App {
    use crate::event::{Event, Op, WorkerKind};
    let scenario = crate::scenarios::all()
        .iter()
        .find(|s| s.info.name == "coroutines")
        .expect("in the catalogue");
    let mut app = App::detached(crate::cli::Plan {
        scenario,
        config: crate::scenarios::Config::default_for(&scenario.info),
        options: crate::runner::Options::default(),
    });
    app.view.captions = false;
    app.use_theme(crate::ui::Theme::plain());
    let ev = |w: u32, op: Op| Event {
        t: 0,
        pid: 1,
        w,
        op,
    };
    let declare = |name: String, kind, thread| Op::Worker {
        name,
        kind,
        daemon: false,
        parent: thread,
        thread,
    };
    app.feed(ev(0, declare("main".into(), WorkerKind::Main, None)));
    app.feed(ev(0, Op::Start));
    for w in 1..=n {
        app.feed(ev(
            w,
            declare(format!("fetch-{w}"), WorkerKind::Task, Some(0)),
        ));
        app.feed(ev(w, Op::Start));
        app.feed(ev(w, Op::SleepBegin { ms: 1000 }));
    }
    app
}

/// The lanes panel at 80×24, as text: the screen's rows down to the panel's bottom border.
fn screen_80x24(app: &App) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    term.draw(|f| app.draw(f)).expect("draws");
    let buf = term.backend().buffer();
    let rows: Vec<String> = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    let end = rows.iter().position(|r| r.starts_with('└')).unwrap_or(24);
    rows[..end].join("\n")
}

/// A thread with more tasks than the lanes have rows shows them folded into one row that
/// counts them; `t` on it shows them (and ↓ goes into them), `t` on one of them folds
/// them again and selects the thread. The footer says which `t` does.
#[test]
fn t_folds_a_threads_tasks_into_one_row_and_shows_them() {
    let mut app = thousands_of_tasks(2000);
    let s = screen_80x24(&app);
    assert!(
        s.contains("▹ 2000 tasks: 2000 awaiting"),
        "folded by default:\n{s}"
    );
    assert!(!s.contains("fetch-1 "), "no task's lane while folded:\n{s}");
    assert!(
        app.hints()
            .iter()
            .any(|h| h.key == "t" && h.what == "show tasks")
    );
    app.update(Action::Down);
    assert_eq!(app.view.selected, 0, "↓ passes over folded tasks");

    app.update(Action::ToggleTasks);
    let s = screen_80x24(&app);
    assert!(
        s.contains("▿ 2000 tasks on main: 2000 awaiting"),
        "shown:\n{s}"
    );
    assert!(s.contains("fetch-1 "), "the tasks' lanes:\n{s}");
    assert!(
        app.hints()
            .iter()
            .any(|h| h.key == "t" && h.what == "fold tasks")
    );
    app.update(Action::Down);
    app.update(Action::Down);
    assert_eq!(app.world.workers[app.view.selected].name, "fetch-2");

    app.update(Action::ToggleTasks);
    assert_eq!(
        app.view.selected, 0,
        "folding from a task selects its thread"
    );
    let s = screen_80x24(&app);
    assert!(s.contains("▹ 2000 tasks") && !s.contains("fetch-2"), "{s}");
}

/// A few tasks fit: shown by default, and `t` folds them.
#[test]
fn tasks_that_fit_are_shown_until_folded() {
    let mut app = thousands_of_tasks(4);
    let s = screen_80x24(&app);
    assert!(s.contains("fetch-4") && !s.contains("4 tasks"), "{s}");
    app.update(Action::ToggleTasks);
    let s = screen_80x24(&app);
    assert!(
        s.contains("▹ 4 tasks: 4 awaiting") && !s.contains("fetch-4"),
        "{s}"
    );
}
