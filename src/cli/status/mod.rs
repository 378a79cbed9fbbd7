//! `regime status DIR [--watch [--interval SECS]]`: per trial done /
//! running / pending / failed, from the result files, the live curves and
//! (for a Slurm run) Slurm's queue; running trials with their latest point;
//! then per arm the counts, the latest validation accuracy and λ, and an
//! ETA. `--watch` redraws the per-arm view until nothing runs or waits any
//! more (or Ctrl-C).

mod snapshot;

use super::options::{Level, Verbosity};
use snapshot::{Snapshot, Verified};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("quiet", |a| a.help("The totals only")),
    mut_arg("verbose", |a| a.help("Also every finished trial's accuracy, λ and wall time"))
)]
pub struct Args {
    /// A results directory made by `regime run`.
    pub dir: PathBuf,
    /// Refresh the progress per arm until the run ends (or Ctrl-C).
    #[arg(long)]
    pub watch: bool,
    /// Seconds between refreshes of --watch.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, requires = "watch")]
    pub interval: f64,
    #[command(flatten)]
    pub verbosity: Verbosity,
}

pub fn run(args: &Args) -> super::ExitCode {
    // `try_from` also refuses what a `Duration` cannot hold (1e300 s), which
    // the first redraw's sleep would panic on.
    let interval = match Duration::try_from_secs_f64(args.interval) {
        Ok(d) if args.interval > 0.0 => d,
        _ => {
            eprintln!(
                "error: --interval must be a positive number of seconds, at most {}",
                u64::MAX
            );
            return 2;
        }
    };
    let results = match super::open_results(&args.dir) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let plan = match results.plan() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", super::render_error(&e));
            return 1;
        }
    };
    let mut verified = Verified::new();
    if args.watch {
        watch(&args.dir, interval, &results, &plan, &mut verified);
        return 0;
    }
    let snap = Snapshot::take(&results, &plan, &mut verified);
    let level = args.verbosity.level();
    if level > Level::Quiet {
        print!("{}", trial_lines(&snap, level));
        println!();
        print!("{}", arm_table(&snap));
    }
    println!("{}", footer(&snap));
    let missing = snap
        .rows
        .iter()
        .filter(|r| r.state.label() == "missing")
        .count();
    if missing > 0 {
        eprintln!(
            "a local run with {missing} trials still to run; continue it with `regime run {} --resume {}`",
            plan.source,
            args.dir.display()
        );
    }
    0
}

/// Redraws the per-arm view every `interval` until the run is over: in
/// place on a terminal, else a new block whenever it changed.
fn watch(
    dir: &std::path::Path,
    interval: Duration,
    results: &crate::results::ResultsDir,
    plan: &crate::plan::Plan,
    verified: &mut Verified,
) {
    let tty = std::io::stdout().is_terminal();
    let screen = tty.then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stdout());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut shown = String::new();
    loop {
        let snap = Snapshot::take(results, plan, verified);
        let block = format!("{}{}", arm_table(&snap), footer(&snap));
        match &screen {
            Some(bar) => bar.set_message(format!("{}\n{block}", dir.display())),
            None if block != shown => {
                if !shown.is_empty() {
                    println!();
                }
                println!("{block}");
            }
            None => {}
        }
        shown = block;
        if snap.finished() {
            break;
        }
        std::thread::sleep(interval);
    }
    if let Some(bar) = screen {
        bar.finish();
    }
}

/// `id<TAB>state`, with a running trial's latest point (and, verbose, a
/// done trial's final numbers); failed tasks' log tails and why a trial is
/// damaged below them.
fn trial_lines(snap: &Snapshot, level: Level) -> String {
    use crate::run::slurm::TrialState;
    let mut out = String::new();
    for r in &snap.rows {
        out += &format!("{}\t{}", r.id, r.state.label());
        if let Some(p) = &r.latest {
            out += &format!(
                "\titer {}/{}  val_acc {:.3}  λ {}",
                p.iter,
                r.budget,
                p.val_acc,
                lambda(p.lambda)
            );
        }
        if let (Level::Verbose, Some(rec)) = (level, &r.record) {
            if let Some(f) = rec.finals {
                out += &format!(
                    "\tval_acc {:.3}  test_acc {:.3}  λ {}  {:.1}s",
                    f.val_acc,
                    f.test_acc,
                    lambda(rec.final_lambda),
                    rec.wall_seconds
                );
            }
        }
        out.push('\n');
        match &r.state {
            TrialState::Failed { log_tail } => {
                for line in log_tail.lines() {
                    out += &format!("    | {line}\n");
                }
            }
            TrialState::Damaged { why } => out += &format!("    | {why}\n"),
            _ => {}
        }
    }
    out
}

/// The per-arm table: counts, then the latest validation accuracy and λ.
fn arm_table(snap: &Snapshot) -> String {
    let arms = snap.arms();
    let width = arms
        .iter()
        .map(|a| a.label.chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    let mut out = format!(
        "{:<width$}  {:>4}  {:>7}  {:>6}  {:>7}  {:>7}  {:>9}  latest\n",
        "arm", "done", "running", "failed", "pending", "val_acc", "λ"
    );
    for a in &arms {
        let (acc, lam, at) = match &a.latest {
            Some(l) => (
                format!("{:.3}", l.val_acc),
                lambda(l.lambda),
                match l.at {
                    Some((i, b)) => format!("iter {i}/{b}, seed {}", l.seed),
                    None => format!("final, seed {}", l.seed),
                },
            ),
            None => ("–".into(), "–".into(), String::new()),
        };
        out += &format!(
            "{:<width$}  {:>4}  {:>7}  {:>6}  {:>7}  {:>7}  {:>9}  {at}\n",
            a.label, a.done, a.running, a.failed, a.pending, acc, lam
        );
    }
    out
}

/// The totals and, while trials remain, the ETA.
fn footer(snap: &Snapshot) -> String {
    let mut out = snap.totals();
    if snap.finished() {
        return out;
    }
    let active = snap
        .rows
        .iter()
        .any(|r| matches!(r.state.label(), "running" | "pending"));
    match snap.eta_seconds() {
        _ if !active => out += "; the run is writing its summary",
        Some(s) => out += &format!("; ETA {}", duration(s)),
        None => out += "; ETA when a trial has finished",
    }
    out
}

/// λ compactly: `0`, `0.003`, `1.5e-5`.
fn lambda(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (1e-3..1e4).contains(&v.abs()) {
        format!("{}", (v * 1e4).round() / 1e4)
    } else {
        format!("{v:.2e}")
    }
}

/// `45s`, `3m 05s`, `2h 10m`.
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(super::lambda(0.0), "0");
        assert_eq!(super::lambda(0.00312345), "0.0031");
        assert_eq!(super::lambda(2.0), "2");
        assert_eq!(super::lambda(1.5e-5), "1.50e-5");
        assert_eq!(super::duration(44.6), "45s");
        assert_eq!(super::duration(185.0), "3m 05s");
        assert_eq!(super::duration(7800.0), "2h 10m");
    }
}
