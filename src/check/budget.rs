//! Equal budgets, seeds and cost estimates of trials.

use super::eval::Ctx;
use super::experiment::{Arm, ArmLambda};
use super::schedule;
use super::settings::Settings;
use crate::diagnostics::{Diagnostic, Reported};
use crate::plan::*;
use crate::syntax::ast::ExperimentDef;

/// Iterations of every arm in one cell (equal budget), or a diagnostic.
pub fn budgets(
    ctx: &mut Ctx,
    def: &ExperimentDef,
    arms: &[Arm],
    lambdas: &[ArmLambda],
    s: &Settings,
) -> Result<Vec<u64>, Reported> {
    let ipe = s.iters_per_epoch;
    if let Some(n) = s.fixed_iters {
        for (arm, l) in arms.iter().zip(lambdas) {
            let sched = match l {
                ArmLambda::Spec(LambdaSpec::Schedule(sc))
                | ArmLambda::Spec(LambdaSpec::Adjusted { schedule: sc, .. }) => sc,
                _ => continue,
            };
            if let Some(len) = schedule::length(sched, ipe).filter(|len| *len > n) {
                ctx.warn(
                    arm.value.span,
                    Diagnostic::ScheduleTruncated {
                        arm: arm.name.name.clone(),
                        length: len,
                        iters: n,
                        span: arm.value.span.into(),
                    },
                );
            }
        }
        return Ok(vec![n; arms.len()]);
    }
    let mut lens: Vec<Option<u64>> = vec![];
    let mut failed = None;
    for (arm, l) in arms.iter().zip(lambdas) {
        let (len, why) = match l {
            ArmLambda::Grid(_) => (None, ""),
            ArmLambda::Spec(LambdaSpec::Constant(_)) => (None, "a constant has no end"),
            ArmLambda::Spec(LambdaSpec::Policy { .. }) => (None, "a policy has no end"),
            ArmLambda::Spec(LambdaSpec::Schedule(sc))
            | ArmLambda::Spec(LambdaSpec::Adjusted { schedule: sc, .. }) => {
                (schedule::length(sc, ipe), "this schedule never ends")
            }
        };
        if len.is_none() && !why.is_empty() {
            failed = Some(ctx.report(
                arm.span,
                Diagnostic::NoBudget {
                    arm: arm.name.name.clone(),
                    span: arm.value.span.into(),
                    why: why.into(),
                    help: Some("set `iters: N` or `epochs: N` in the experiment".into()),
                },
            ));
        }
        lens.push(len);
    }
    if let Some(reported) = failed {
        return Err(reported);
    }
    let fixed: Vec<(usize, u64)> = lens
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|l| (i, l)))
        .collect();
    let Some(longest) = fixed.iter().map(|(_, l)| *l).max() else {
        // invariant: `elaborate` only gets here with at least one arm.
        let arm = &arms[0];
        return Err(ctx.report(
            arm.span,
            Diagnostic::NoBudget {
                arm: arm.name.name.clone(),
                span: arm.value.span.into(),
                why: "a grid trains as long as the other arms, and there are none".into(),
                help: Some("set `iters: N` or `epochs: N` in the experiment".into()),
            },
        ));
    };
    if fixed.iter().any(|(_, l)| *l != longest) {
        let labels = fixed
            .iter()
            .map(|(i, l)| {
                miette::LabeledSpan::new_with_span(
                    Some(format!("{l} iterations")),
                    arms[*i].value.span,
                )
            })
            .collect();
        return Err(ctx.report(
            arms[fixed[0].0].span,
            Diagnostic::BudgetMismatch {
                experiment: def.name.name.clone(),
                arms: labels,
                help: Some(format!(
                    "compare at equal budget: make the schedules equally long, or set `iters: {longest}`"
                )),
            },
        ));
    }
    Ok(lens.iter().map(|l| l.unwrap_or(longest)).collect())
}

/// Seed of (experiment, cell, seed index): FNV-1a of the name, mixed with
/// SplitMix64 so it is stable across platforms and Rust versions.
pub fn derive_seed(experiment: &str, cell: usize, seed_index: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in experiment.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut x = h ^ splitmix(cell as u64) ^ splitmix((seed_index as u64) << 32 | 0x5eed);
    x = splitmix(x);
    x
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Cost from shapes alone (see docs/language.md, "Estimates").
pub fn estimate(net: &NetworkSpec, batch: usize, iters: u64) -> Estimate {
    let mut flops = 0.0;
    let mut first = true;
    let mut activations = net.input.size() as u64;
    for l in &net.layers {
        activations = activations.saturating_add(l.output.size() as u64);
        let per_pass = match l.layer {
            Layer::Dense { units } => 2.0 * l.input.size() as f64 * units as f64,
            Layer::Conv { filters, size, .. } => {
                2.0 * filters as f64
                    * (l.input.channels * size * size) as f64
                    * (l.output.height * l.output.width) as f64
            }
            _ => continue,
        };
        flops += per_pass * if first { 2.0 } else { 3.0 };
        first = false;
    }
    let memory = net
        .parameters
        .saturating_mul(4)
        .saturating_add((batch as u64).saturating_mul(activations).saturating_mul(2))
        .saturating_mul(4);
    Estimate {
        parameters: net.parameters,
        flops_per_example: flops,
        total_flops: flops * batch as f64 * iters as f64,
        memory_bytes: memory,
    }
}

pub fn size_text(e: &Estimate) -> String {
    format!(
        "{:.1}M parameters, {:.2} GiB, {:.1e} FLOPs per example",
        e.parameters as f64 / 1e6,
        e.memory_bytes as f64 / (1u64 << 30) as f64,
        e.flops_per_example
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeds are part of the results' identity: changing the derivation
    /// silently would make old and new runs incomparable.
    #[test]
    fn seed_derivation_is_pinned() {
        assert_eq!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 0, 0)
        );
        assert_ne!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 0, 1)
        );
        assert_ne!(
            derive_seed("quickstart", 0, 0),
            derive_seed("quickstart", 1, 0)
        );
        assert_ne!(derive_seed("a", 0, 0), derive_seed("b", 0, 0));
        assert_eq!(derive_seed("quickstart", 0, 0), 10039159710837317005);
    }
}
