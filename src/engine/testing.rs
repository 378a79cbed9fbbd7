//! Builders for trials and datasets outside a compiled plan: used by the
//! tests, the benchmark and the accuracy anchor.

use crate::data::{Dataset, Part};
use crate::plan::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::BTreeMap;

fn shape(c: usize, h: usize, w: usize) -> Shape {
    Shape {
        channels: c,
        height: h,
        width: w,
    }
}

/// `d → h → relu → classes`, the paper's two-layer net.
pub fn two_layer(d: usize, h: usize, classes: usize, init: Init) -> NetworkSpec {
    let flat = |n| shape(1, 1, n);
    let layers = vec![
        ResolvedLayer {
            layer: Layer::Dense { units: h },
            input: flat(d),
            output: flat(h),
            parameters: (d * h + h) as u64,
        },
        ResolvedLayer {
            layer: Layer::Relu,
            input: flat(h),
            output: flat(h),
            parameters: 0,
        },
        ResolvedLayer {
            layer: Layer::Dense { units: classes },
            input: flat(h),
            output: flat(classes),
            parameters: (h * classes + classes) as u64,
        },
    ];
    NetworkSpec {
        name: format!("two_layer({h})"),
        input: flat(d),
        parameters: layers.iter().map(|l| l.parameters).sum(),
        layers,
        init,
    }
}

/// The cs231n three-layer convnet: conv f×k×k (stride 1, 'same' padding) →
/// relu → 2×2 maxpool → dense hidden → relu → dense classes.
pub fn convnet(
    input: Shape,
    f: usize,
    k: usize,
    hidden: usize,
    classes: usize,
    init: Init,
) -> NetworkSpec {
    let (c, h, w) = (input.channels, input.height, input.width);
    let conv_out = shape(f, h, w);
    let pooled = shape(f, h / 2, w / 2);
    let flat = |n| shape(1, 1, n);
    let l = |layer, input, output, parameters| ResolvedLayer {
        layer,
        input,
        output,
        parameters,
    };
    let layers = vec![
        l(
            Layer::Conv {
                filters: f,
                size: k,
                stride: 1,
                pad: (k - 1) / 2,
            },
            input,
            conv_out,
            (f * c * k * k + f) as u64,
        ),
        l(Layer::Relu, conv_out, conv_out, 0),
        l(Layer::Maxpool { size: 2 }, conv_out, pooled, 0),
        l(
            Layer::Dense { units: hidden },
            pooled,
            flat(hidden),
            (pooled.size() * hidden + hidden) as u64,
        ),
        l(Layer::Relu, flat(hidden), flat(hidden), 0),
        l(
            Layer::Dense { units: classes },
            flat(hidden),
            flat(classes),
            (hidden * classes + classes) as u64,
        ),
    ];
    NetworkSpec {
        name: "three_layer_convnet".into(),
        input,
        parameters: layers.iter().map(|l| l.parameters).sum(),
        layers,
        init,
    }
}

pub fn sgd(lr: f64, momentum: f64) -> OptimizerSpec {
    OptimizerSpec::Sgd {
        lr,
        momentum,
        nesterov: false,
        decay: None,
    }
}

/// A trial with everything the engine reads; the rest is filler.
pub fn trial(
    network: NetworkSpec,
    optimizer: OptimizerSpec,
    penalty: PenaltyKind,
    batch: usize,
    seed: u64,
) -> Trial {
    Trial {
        key: TrialKey {
            id: "test".into(),
            experiment: "test".into(),
            arm: "test".into(),
            cell: 0,
            vary: BTreeMap::new(),
            seed_index: 0,
            split: 0,
            seed,
            grid: None,
        },
        network,
        optimizer,
        penalty: PenaltySpec {
            kind: penalty,
            on_all: false,
        },
        batch,
        sampling: Sampling::Shuffle,
        iters: 0,
        iters_per_epoch: 0,
        lambda: LambdaSpec::Constant(0.0),
        checks_every: Duration::Iters(100),
        estimate: Estimate {
            parameters: 0,
            flops_per_example: 0.0,
            total_flops: 0.0,
            memory_bytes: 0,
        },
    }
}

/// Gaussian inputs of `input` shape with labels from a fixed random linear
/// map (learnable), split `train`/`val`/`test`.
pub fn random_dataset(
    input: Shape,
    classes: usize,
    train: usize,
    val: usize,
    test: usize,
    seed: u64,
) -> Dataset {
    let d = input.size();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let proj: Vec<f32> = (0..d * classes)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let mut part = |n: usize| {
        let x: Vec<f32> = (0..n * d)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let y = x
            .chunks_exact(d)
            .map(|row| {
                (0..classes)
                    .map(|c| {
                        row.iter()
                            .enumerate()
                            .map(|(j, v)| v * proj[j * classes + c])
                            .sum::<f32>()
                    })
                    .enumerate()
                    .fold(
                        (0, f32::NEG_INFINITY),
                        |b, (c, s)| if s > b.1 { (c, s) } else { b },
                    )
                    .0 as u8
            })
            .collect();
        Part::from_floats(x, y, d)
    };
    Dataset {
        train: part(train),
        val: part(val),
        test: part(test),
        input,
        classes,
        origin: format!("random (seed {seed})"),
        files: Vec::new(),
        split_seed: 0,
    }
}
