//! The trainer end to end on small random data: it learns, it is
//! reproducible to the bit, it reports divergence, and evaluation leaves the
//! training state alone.

use regime::engine::testing::{convnet, random_dataset, sgd, trial, two_layer};
use regime::engine::{scheduled_lr, EngineError, Split, Trainer};
use regime::plan::{Decay, Duration, Init, OptimizerSpec, PenaltyKind, Sampling, Shape};

fn flat(d: usize) -> Shape {
    Shape {
        channels: 1,
        height: 1,
        width: d,
    }
}

#[test]
fn tiny_net_overfits_a_tiny_batch() {
    // 16 examples, batch 16: every step sees the whole set.
    let data = random_dataset(flat(20), 4, 16, 4, 4, 1);
    let t = trial(
        two_layer(20, 64, 4, Init::He),
        sgd(0.1, 0.9),
        PenaltyKind::None,
        16,
        3,
    );
    let mut tr = Trainer::new(&t, &data).unwrap();
    let first = tr.step(0.0, 0.1).unwrap().data_loss;
    for _ in 0..300 {
        tr.step(0.0, 0.1).unwrap();
    }
    let e = tr.evaluate(Split::Train);
    assert_eq!(e.acc, 1.0, "train accuracy {e:?}");
    assert!(e.loss < 0.05 && e.loss < first);
}

fn run(
    seed: u64,
    iters: usize,
    opt: OptimizerSpec,
    penalty: PenaltyKind,
) -> (Vec<f64>, Vec<Vec<f32>>) {
    let data = random_dataset(flat(30), 5, 500, 50, 50, 9);
    let mut t = trial(two_layer(30, 40, 5, Init::He), opt, penalty, 32, seed);
    t.sampling = Sampling::Replacement;
    let mut tr = Trainer::new(&t, &data).unwrap();
    let losses = (0..iters)
        .map(|_| tr.step(1e-3, 0.05).unwrap().data_loss)
        .collect();
    (losses, tr.parameters().iter().map(|p| p.to_vec()).collect())
}

#[test]
fn same_seed_is_bit_identical_and_another_seed_differs() {
    for opt in [
        sgd(0.05, 0.9),
        OptimizerSpec::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            decay: None,
        },
    ] {
        let a = run(42, 60, opt, PenaltyKind::L2);
        let b = run(42, 60, opt, PenaltyKind::L2);
        let bits = |v: &Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.0), bits(&b.0));
        let wbits = |w: &Vec<Vec<f32>>| w.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(wbits(&a.1), wbits(&b.1));
        let c = run(43, 60, opt, PenaltyKind::L2);
        assert_ne!(bits(&a.0), bits(&c.0));
    }
}

#[test]
fn every_optimizer_and_penalty_lowers_the_loss() {
    let opts = [
        sgd(0.05, 0.0),
        sgd(0.05, 0.9),
        OptimizerSpec::Sgd {
            lr: 0.05,
            momentum: 0.9,
            nesterov: true,
            decay: None,
        },
        OptimizerSpec::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            decay: None,
        },
    ];
    let pens = [
        PenaltyKind::None,
        PenaltyKind::L2,
        PenaltyKind::L1 { proximal: false },
        PenaltyKind::L1 { proximal: true },
        PenaltyKind::Lp { p: 0.5, eps: 1e-3 },
        PenaltyKind::Elastic { l1: 0.5, l2: 0.5 },
    ];
    for opt in opts {
        for pen in pens {
            let (l, _) = run(1, 300, opt, pen);
            let head: f64 = l[..20].iter().sum::<f64>() / 20.0;
            let tail: f64 = l[l.len() - 20..].iter().sum::<f64>() / 20.0;
            assert!(tail < 0.8 * head, "{opt:?} {pen:?}: {head} → {tail}");
        }
    }
}

#[test]
fn evaluation_does_not_change_training() {
    let data = random_dataset(flat(30), 5, 500, 50, 50, 9);
    let t = trial(
        two_layer(30, 40, 5, Init::He),
        sgd(0.05, 0.9),
        PenaltyKind::L2,
        32,
        5,
    );
    let mut a = Trainer::new(&t, &data).unwrap();
    let mut b = Trainer::new(&t, &data).unwrap();
    for i in 0..50 {
        if i % 7 == 0 {
            a.evaluate(Split::TrainSample);
            a.evaluate(Split::Val);
            a.evaluate(Split::Test);
        }
        let (x, y) = (a.step(1e-3, 0.05).unwrap(), b.step(1e-3, 0.05).unwrap());
        assert_eq!(x.data_loss.to_bits(), y.data_loss.to_bits());
    }
    let e1 = a.evaluate(Split::Val);
    let e2 = a.evaluate(Split::Val);
    assert_eq!(e1, e2);
    assert!(e1.acc > 0.0 && e1.acc <= 1.0 && e1.loss.is_finite());
    // The train subsample is the whole set when the set is small.
    assert_eq!(
        a.evaluate(Split::TrainSample).acc,
        a.evaluate(Split::Train).acc
    );
}

#[test]
fn divergence_is_reported_with_iteration_lambda_and_lr() {
    let data = random_dataset(flat(30), 5, 200, 10, 10, 2);
    let t = trial(
        two_layer(30, 40, 5, Init::He),
        sgd(1e3, 0.9),
        PenaltyKind::L2,
        32,
        1,
    );
    let mut tr = Trainer::new(&t, &data).unwrap();
    let mut err = None;
    for _ in 0..200 {
        match tr.step(0.5, 1e3) {
            Ok(_) => {}
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    match err {
        Some(EngineError::Diverged {
            iter,
            lambda,
            lr,
            loss,
        }) => {
            assert!(iter >= 1 && lambda == 0.5 && lr == 1e3);
            assert!(!loss.is_finite() || loss > regime::engine::EXPLODED_LOSS);
            let msg = EngineError::Diverged {
                iter,
                lambda,
                lr,
                loss,
            }
            .to_string();
            assert!(msg.contains(&format!("iteration {iter}")) && msg.contains("0.5"));
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

#[test]
fn norms_sparsity_and_reg_loss() {
    let data = random_dataset(flat(10), 3, 100, 10, 10, 2);
    let mut t = trial(
        two_layer(10, 8, 3, Init::Normal { std: 1e-4 }),
        sgd(0.1, 0.0),
        PenaltyKind::L2,
        10,
        1,
    );
    let tr = Trainer::new(&t, &data).unwrap();
    // normal(1e-4) weights are all below the 1e-3 threshold.
    assert_eq!(tr.sparsity(), 1.0);
    let norm = tr.weight_norm();
    assert!((tr.reg_loss(2.0) - 2.0 * norm * norm).abs() < 1e-12);
    t.network.init = Init::He;
    let mut tr = Trainer::new(&t, &data).unwrap();
    assert!(tr.sparsity() < 0.05);
    // Proximal L1 with a big λ zeroes the weights exactly.
    t.penalty.kind = PenaltyKind::L1 { proximal: true };
    tr = Trainer::new(&t, &data).unwrap();
    tr.step(1000.0, 0.1).unwrap();
    assert_eq!(tr.weight_norm(), 0.0);
    assert_eq!(tr.sparsity(), 1.0);
}

#[test]
fn shuffle_epochs_visit_every_example_once() {
    let data = random_dataset(flat(4), 2, 50, 0, 0, 3);
    let mut t = trial(
        two_layer(4, 4, 2, Init::He),
        sgd(0.0, 0.0),
        PenaltyKind::None,
        16,
        1,
    );
    t.iters_per_epoch = 0;
    let mut tr = Trainer::new(&t, &data).unwrap();
    for _ in 0..4 {
        tr.step(0.0, 0.0).unwrap();
    }
    assert_eq!(tr.iter(), 4);
    assert!(
        (tr.epoch() - 1.0).abs() < 1e-12,
        "50 examples / 16 = 4 batches per epoch"
    );
    // An empty validation split evaluates to NaN rather than panicking.
    assert!(tr.evaluate(Split::Val).acc.is_nan());
}

#[test]
fn convnet_trains_on_small_images() {
    let input = Shape {
        channels: 3,
        height: 8,
        width: 8,
    };
    let data = random_dataset(input, 4, 64, 16, 16, 4);
    let t = trial(
        convnet(input, 6, 3, 20, 4, Init::He),
        sgd(0.02, 0.9),
        PenaltyKind::L2,
        8,
        1,
    );
    let mut tr = Trainer::new(&t, &data).unwrap();
    assert_eq!(
        tr.layer_names(),
        vec!["conv+relu", "maxpool", "dense+relu", "dense"]
    );
    let first: f64 = (0..8)
        .map(|_| tr.step(1e-4, 0.02).unwrap().data_loss)
        .sum::<f64>()
        / 8.0;
    for _ in 0..150 {
        tr.step(1e-4, 0.02).unwrap();
    }
    let last: f64 = (0..8)
        .map(|_| tr.step(1e-4, 0.02).unwrap().data_loss)
        .sum::<f64>()
        / 8.0;
    assert!(last < 0.7 * first, "{first} → {last}");
}

/// The message of a configuration error (anything else fails the test).
fn config_error(r: Result<Trainer<'_>, EngineError>) -> String {
    match r {
        Err(EngineError::Config { message }) => message,
        Err(other) => panic!("expected a configuration error, got {other}"),
        Ok(_) => panic!("expected a configuration error, got a trainer"),
    }
}

#[test]
fn mismatched_shapes_are_errors_not_panics() {
    let data = random_dataset(flat(10), 3, 20, 0, 0, 1);
    let t = trial(
        two_layer(12, 8, 3, Init::He),
        sgd(0.1, 0.0),
        PenaltyKind::L2,
        4,
        1,
    );
    assert!(matches!(
        Trainer::new(&t, &data),
        Err(EngineError::Config { .. })
    ));
    let m = config_error(Trainer::new(&t, &data));
    assert!(
        m.contains("takes 12 inputs per example but the data has 10"),
        "{m}"
    );
    let t = trial(
        two_layer(10, 8, 5, Init::He),
        sgd(0.1, 0.0),
        PenaltyKind::L2,
        4,
        1,
    );
    assert!(matches!(
        Trainer::new(&t, &data),
        Err(EngineError::Config { .. })
    ));
    let m = config_error(Trainer::new(&t, &data));
    assert!(
        m.contains("ends with 5 outputs but the data has 3 classes"),
        "{m}"
    );
    let t = trial(
        two_layer(10, 8, 3, Init::He),
        sgd(0.1, 0.0),
        PenaltyKind::L2,
        0,
        1,
    );
    assert!(Trainer::new(&t, &data).is_err());
    assert_eq!(config_error(Trainer::new(&t, &data)), "batch size 0");
}

#[test]
fn lr_decay_per_epoch() {
    let spec = OptimizerSpec::Sgd {
        lr: 1e-4,
        momentum: 0.0,
        nesterov: false,
        decay: Some(Decay {
            factor: 0.95,
            every: Duration::Epochs(1.0),
        }),
    };
    assert_eq!(scheduled_lr(&spec, 0, 100), 1e-4);
    assert_eq!(scheduled_lr(&spec, 99, 100), 1e-4);
    assert!((scheduled_lr(&spec, 250, 100) - 1e-4 * 0.95 * 0.95).abs() < 1e-15);
}

#[test]
fn trainer_can_move_to_a_worker_thread() {
    // Trials run in parallel on rayon: the trainer must be Send and the
    // dataset shared by reference across threads.
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Trainer<'static>>();
    sync::<regime::data::Dataset>();
}

#[test]
fn fused_l2_matches_the_unfused_penalty_path() {
    // Elastic with a = 0, b = 1 is λ·Σw², the same penalty as L2, but goes
    // through the generic path (penalty gradient first, separate optimizer
    // pass); L2 is fused into the optimizer's loop. Same trajectory up to
    // float rounding, for every SGD variant and for Adam (default path).
    let opts = [
        sgd(0.05, 0.0),
        sgd(0.05, 0.9),
        OptimizerSpec::Sgd {
            lr: 0.05,
            momentum: 0.9,
            nesterov: true,
            decay: None,
        },
        OptimizerSpec::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            decay: None,
        },
    ];
    for opt in opts {
        let data = random_dataset(flat(30), 5, 300, 10, 10, 9);
        let mk = |pen| {
            let mut t = trial(two_layer(30, 20, 5, Init::He), opt, pen, 32, 4);
            t.sampling = Sampling::Replacement;
            t
        };
        let (ta, tb) = (
            mk(PenaltyKind::L2),
            mk(PenaltyKind::Elastic { l1: 0.0, l2: 1.0 }),
        );
        let mut a = Trainer::new(&ta, &data).unwrap();
        let mut b = Trainer::new(&tb, &data).unwrap();
        for _ in 0..50 {
            let (x, y) = (a.step(0.05, 0.05).unwrap(), b.step(0.05, 0.05).unwrap());
            assert!(
                (x.data_loss - y.data_loss).abs() < 1e-4 * y.data_loss.abs().max(1.0),
                "{opt:?}"
            );
            assert!(
                (x.reg_loss - y.reg_loss).abs() < 1e-4 * y.reg_loss.abs().max(1e-3),
                "{opt:?} {x:?} {y:?}"
            );
        }
        assert!((a.reg_loss(0.05) - b.reg_loss(0.05)).abs() < 1e-4 * b.reg_loss(0.05));
    }
}

/// Products large enough to be cut into tiles (the output layer's too:
/// 200×10·1024 is two tiles), batches, rows and parameters large enough to
/// be spread over threads: training with 1, 2, 3 or 4 GEMM
/// threads gives the same bits (losses, evaluation and every weight).
#[test]
fn thread_count_never_changes_a_bit() {
    let data = random_dataset(flat(784), 10, 1200, 200, 200, 5);
    let train = |threads: usize| {
        regime::engine::with_gemm_threads(threads, || {
            let mut t = trial(
                two_layer(784, 1024, 10, Init::He),
                sgd(0.01, 0.9),
                PenaltyKind::L2,
                200,
                7,
            );
            t.sampling = Sampling::Shuffle;
            let mut tr = Trainer::new(&t, &data).unwrap();
            let losses: Vec<u64> = (0..6)
                .map(|_| tr.step(1e-3, 0.01).unwrap().data_loss.to_bits())
                .collect();
            let eval = tr.evaluate(Split::Val);
            let weights: Vec<u32> = tr
                .parameters()
                .iter()
                .flat_map(|p| p.iter().map(|x| x.to_bits()))
                .collect();
            (losses, eval.loss.to_bits(), weights)
        })
        .unwrap()
    };
    let one = train(1);
    for threads in [2, 3, 4] {
        assert!(
            train(threads) == one,
            "{threads} threads changed the results"
        );
    }
}
