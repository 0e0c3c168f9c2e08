//! The binary: parse arguments, make one call into the library, turn errors into messages.

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use threadlanes::cli::{Cli, Command, plan};
use threadlanes::headless::{self, Headless};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::List) => {
            print!("{}", threadlanes::cli::list());
            ExitCode::SUCCESS
        }
        Some(Command::Run(args)) => {
            let plan = match plan(&args) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            if args.headless {
                let h = Headless {
                    json: args.json,
                    for_secs: args.for_secs,
                };
                let code = headless::run(
                    &plan,
                    &h,
                    &mut std::io::stdout().lock(),
                    &mut std::io::stderr().lock(),
                );
                return ExitCode::from(code as u8);
            }
            tui(Some(plan))
        }
        Some(Command::Record(args)) => done(threadlanes::record::record_cmd(&args)),
        Some(Command::Export(args)) => done(threadlanes::record::export_cmd(&args)),
        None => tui(None),
    }
}

fn tui(plan: Option<threadlanes::cli::Plan>) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        return fail(
            "threadlanes draws a full-screen view and needs a terminal, but stdout is not a terminal.\n\
             To print the events instead: threadlanes run SCENARIO --headless [--json]",
        );
    }
    match threadlanes::app::main(plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// `record` and `export`: what they wrote goes to stderr, or the error and exit status 2.
fn done(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("threadlanes: {msg}");
    ExitCode::from(2)
}
