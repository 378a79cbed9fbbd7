//! A small but complete trial for unit tests of the stages below the plan
//! (the controller, statistics), so they need not borrow each other's
//! fixtures.

use super::*;

/// A small but complete trial: SGD with lr decay, L2, 10 iterations an epoch.
pub(crate) fn trial(lambda: LambdaSpec, iters: u64) -> Trial {
    let input = Shape {
        channels: 1,
        height: 2,
        width: 2,
    };
    Trial {
        key: TrialKey {
            id: "t".into(),
            experiment: "e".into(),
            arm: "a".into(),
            cell: 0,
            vary: Default::default(),
            seed_index: 0,
            split: 0,
            seed: 1,
            grid: None,
        },
        network: NetworkSpec {
            name: "n".into(),
            input,
            layers: vec![],
            init: Init::He,
            parameters: 0,
        },
        optimizer: OptimizerSpec::Sgd {
            lr: 0.1,
            momentum: 0.0,
            nesterov: false,
            decay: Some(Decay {
                factor: 0.5,
                every: Duration::Epochs(1.0),
            }),
        },
        penalty: PenaltySpec {
            kind: PenaltyKind::L2,
            on_all: false,
        },
        batch: 10,
        sampling: Sampling::Shuffle,
        iters,
        iters_per_epoch: 10,
        lambda,
        checks_every: Duration::Epochs(1.0),
        estimate: Estimate {
            parameters: 0,
            flops_per_example: 0.0,
            total_flops: 0.0,
            memory_bytes: 0,
        },
    }
}
