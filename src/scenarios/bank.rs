//! `bank`: check-then-act. Two withdrawals check the balance, take a while, then take the
//! money; without a lock both pass the check and the account goes negative.

use super::kit::{Counter, ThreadArgs, join_all};
use super::{Config, Info, Scenario, param, variant};
use crate::probe::{Lock, Res, Thread, Value, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "bank",
        title: "Check-then-act overdraws an account",
        lesson: "two withdrawals of 800 from a balance of 1000: without a lock both pass the check",
        explain: "An account holds 1000. Two customers, on two threads, each withdraw 800. A \
withdrawal checks that the balance covers the amount, then counts out the notes (that takes a \
moment: the sleep), then takes the money off the balance.\n\n\
The tutorial's pause is 0.1 s; here counting takes a second or so, to give you time to \
watch. The two tellers take slightly different times (1 s and 1.5 s) so that their two writes \
never collide as well: that would be the lost update of the 'race' scenario, a second bug on \
top of this one.",
        variants: &[
            variant("no-lock", "without lock").explain(
                "Without a lock, the second customer checks while the first is still counting: \
the balance still says 1000, so both checks pass, both take the amount, and the account \
ends below zero. Watch the log: two 'check passed' lines before any withdrawal. The check \
was true when it was made and false by the time it was acted on.",
            ),
            variant("with-lock", "with lock").explain(
                "With the lock around check-and-withdraw, the second customer waits (its lane \
turns to 'blocked') until the first has finished; it then sees what is left and, if that \
does not cover the amount, is refused.",
            ),
        ],
        params: &[param(
            "amount",
            "each customer's withdrawal (the account holds 1000)",
            800,
            100,
            1000,
        )],
    },
    main,
};

const OPENING_BALANCE: i64 = 1000;
/// Seconds each teller takes between the check and the withdrawal.
const COUNTING_SECS: [f64; 2] = [1.0, 1.5];

fn main(cfg: &Config) -> Res<()> {
    let balance = Value::new("balance", OPENING_BALANCE);
    let lock = Lock::new("account");
    let amount = cfg.get("amount");
    let use_lock = cfg.is("with-lock");
    // Measured, not assumed: how many withdrawals passed their check and were paid out.
    let paid = Counter::default();
    let mut customers = Vec::new();
    for (name, counting) in ["alice", "bob"].into_iter().zip(COUNTING_SECS) {
        let customer = Thread::new(name).args((&balance, &lock, &paid)).start(
            move |(balance, lock, paid)| {
                let _held = if use_lock { Some(lock.guard()?) } else { None };
                withdraw(&balance, amount, counting, &paid)
            },
        )?;
        customers.push(customer);
    }
    join_all(&customers)?;
    let (b, n) = (balance.get(), paid.get());
    let paid_out = n * amount;
    if paid_out > OPENING_BALANCE {
        outcome(
            format!(
                "balance = {b}: both withdrawals passed the check; {paid_out} paid out of {OPENING_BALANCE}"
            ),
            false,
        );
    } else if n < 2 {
        outcome(
            format!("balance = {b}; the second withdrawal was refused"),
            b == OPENING_BALANCE - paid_out,
        );
    } else {
        outcome(
            format!("balance = {b}; both withdrawals fit in the account"),
            b == OPENING_BALANCE - paid_out,
        );
    }
    Ok(())
}

/// Check, take a while, then act: the act trusts a check that may be stale by now.
fn withdraw(balance: &Value, amount: i64, counting: f64, paid: &Counter) -> Res<()> {
    let seen = balance.read()?;
    if seen < amount {
        return say(format!("balance {seen} < {amount}: not enough money"));
    }
    say(format!(
        "balance {seen} >= {amount}: check passed, counting notes"
    ))?;
    sleep(counting)?;
    let now = balance.read()?;
    balance.write(now - amount)?;
    paid.inc();
    say(format!("withdrew {amount}: balance = {}", now - amount))
}
