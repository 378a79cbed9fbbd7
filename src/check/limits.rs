//! What a plan may cost, per target: where it will run (`--on local`, this
//! machine; `--on slurm`, a cluster) decides how large a trial and how much
//! compute in total `regime check` lets through (`regime::too_large`), and
//! every such diagnostic names the target whose limit it is and how to
//! change target. The checks of a network and of an experiment's total
//! compute against them are here too.

use super::budget::{estimate, size_text};
use super::cells::Expansion;
use super::eval::Ctx;
use super::settings::Settings;
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::Trial;
use crate::syntax::ast::ExperimentDef;

/// Where a plan is meant to run: `regime check`, `plan` and `run` take it as
/// `--on local|slurm`. It changes only which plans are refused, never the
/// plan itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// This machine: 2 cores and a few GiB.
    #[default]
    Local,
    /// A Slurm cluster: one array task per trial, on nodes of their own.
    Slurm,
}

/// Limits of one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Parameters of one trial's network.
    pub parameters: u64,
    /// Bytes one trial holds (parameters, gradients, optimizer state,
    /// activations of one batch).
    pub memory: u64,
    /// FLOPs of every trial of an experiment together.
    pub total_flops: f64,
    /// What the total FLOPs amount to, for the help line.
    pub flops_text: &'static str,
}

/// Most cells of one experiment, whatever the target: the plan holds every
/// trial of every cell, and `plan.yaml`, `status` and the report read them
/// all.
pub const MAX_TRIALS: usize = 20_000;

/// This machine: about a day of compute on two cores, 4 GiB per trial.
pub const LOCAL: Limits = Limits {
    parameters: 20_000_000,
    memory: 4 << 30,
    total_flops: 5e15,
    flops_text: "about a day on two cores",
};

/// A cluster: a thousand times the compute (about a day on 2,000 cores),
/// and what one large node holds per trial.
pub const SLURM: Limits = Limits {
    parameters: 500_000_000,
    memory: 64 << 30,
    total_flops: 5e18,
    flops_text: "about a day on 2,000 cores",
};

impl Target {
    pub fn limits(self) -> &'static Limits {
        match self {
            Target::Local => &LOCAL,
            Target::Slurm => &SLURM,
        }
    }

    /// Where the plan runs, after "too large to run": `here`, `on a Slurm
    /// cluster`.
    pub fn place(self) -> &'static str {
        match self {
            Target::Local => "here",
            Target::Slurm => "on a Slurm cluster",
        }
    }

    /// The help line of a limit: `limit` (e.g. "at most 5e15 FLOPs per
    /// experiment") where it holds and whose it is, then `fix`; on this
    /// machine also what a cluster allows (`cluster`) and how to get it.
    pub fn help(self, limit: &str, fix: &str, cluster: &str) -> String {
        match self {
            Target::Local => format!(
                "{limit} run here (`--on local`, the default){fix}; a cluster allows {cluster}: check and run with `--on slurm`"
            ),
            Target::Slurm => format!("{limit} run on a Slurm cluster (`--on slurm`){fix}"),
        }
    }
}

/// The FLOPs of every trial together within the target's limit.
pub(super) fn compute_fits(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    trials: &[Trial],
) -> Result<(), Reported> {
    let total: f64 = trials.iter().map(|t| t.estimate.total_flops).sum();
    let limits = ctx.target.limits();
    if total <= limits.total_flops {
        return Ok(());
    }
    let help = ctx.target.help(
        &format!(
            "at most {:.0e} FLOPs ({}) per experiment",
            limits.total_flops, limits.flops_text
        ),
        "; shrink it or run with `--scale`",
        &format!("{:.0e} FLOPs", Target::Slurm.limits().total_flops),
    );
    Err(ctx.report(
        def.name.span,
        Diagnostic::TooLarge {
            what: format!("experiment `{}`", def.name.name),
            place: ctx.target.place().into(),
            estimate: format!("{} trials, {:.1e} FLOPs in total", trials.len(), total),
            span: def.name.span.into(),
            help: Some(help),
        },
    ))
}

/// A network too large to run here (reported once per experiment).
pub(super) fn network_too_large(
    ctx: &mut Ctx,
    s: &Settings,
    out: &mut Expansion,
) -> Option<Reported> {
    let per_trial = estimate(&s.network, s.batch, 1);
    let limits = ctx.target.limits();
    if (per_trial.parameters <= limits.parameters && per_trial.memory_bytes <= limits.memory)
        || out.reported_size
    {
        return None;
    }
    out.reported_size = true;
    let slurm = Target::Slurm.limits();
    let help = ctx.target.help(
        &format!(
            "at most {} million parameters and {} GiB per trial",
            limits.parameters / 1_000_000,
            limits.memory >> 30
        ),
        "",
        &format!(
            "{} million and {} GiB",
            slurm.parameters / 1_000_000,
            slurm.memory >> 30
        ),
    );
    Some(ctx.report(
        s.network_span,
        Diagnostic::TooLarge {
            what: format!("network `{}`", s.network.name),
            place: ctx.target.place().into(),
            estimate: size_text(&per_trial),
            span: s.network_span.into(),
            help: Some(help),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_allows_more_of_everything() {
        let (l, s) = (Target::Local.limits(), Target::Slurm.limits());
        assert!(s.parameters > l.parameters);
        assert!(s.memory > l.memory);
        assert!(s.total_flops > l.total_flops);
        assert_eq!(Target::default(), Target::Local);
    }
}
