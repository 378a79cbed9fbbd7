//! Plan compilation: cartesian products, equal budgets, shared seeds,
//! `--scale`, `--seeds` and the resolved values.

use regime::compile::{compile_source, Options};
use regime::plan::{
    AxisValue, Duration, Init, LambdaSpec, Normalize, PenaltyKind, Plan, Sampling, Schedule,
};

const HEADER: &str = r#"
network two_layer(hidden = 100) {
  dense(hidden)
  relu
  dense(10)
}
schedule pull_down(each = 1000 iters) = steps([3, 2, 1, 0], each: each)
"#;

fn plan_with(body: &str, opts: Options) -> Plan {
    let text = format!("{HEADER}\nexperiment e {{\n{body}\n}}\n");
    match compile_source("test.reg", &text, None, &opts) {
        Ok(c) => c.plan,
        Err(r) => panic!("does not compile:\n{}", r.render(false, 80)),
    }
}

fn plan(body: &str) -> Plan {
    plan_with(body, Options::default())
}

const FIG1: &str = r#"
  data: fashion_mnist(val: 1000)
  vary hidden in [50, 100, 200]
  vary each in [250 iters, 500 iters]
  network: two_layer(hidden)
  optimizer: sgd(lr: 1e-3, momentum: 0.9, decay: 0.95 per epoch)
  arm pull_down: lambda = pull_down(each)
  arm best_fixed: lambda = grid([3.0, 2.0, 1.0, 0.0])
  seeds: 2
"#;

#[test]
fn cartesian_product_times_arms_seeds_and_grid() {
    let p = plan(FIG1);
    let e = &p.experiments[0];
    // 3 × 2 cells, 2 seeds, 1 + 4 trials per seed.
    assert_eq!(e.trials.len(), 3 * 2 * 2 * 5);
    assert_eq!(e.axes.len(), 2);
    // First axis slowest.
    let cells: Vec<_> = e
        .trials
        .iter()
        .filter(|t| t.key.arm == "pull_down" && t.key.seed_index == 0)
        .map(|t| (t.key.cell, t.network.layers[0].output.channels, t.iters))
        .collect();
    assert_eq!(
        cells,
        vec![
            (0, 50, 1000),
            (1, 50, 2000),
            (2, 100, 1000),
            (3, 100, 2000),
            (4, 200, 1000),
            (5, 200, 2000)
        ]
    );
    assert!(e.arms[1].is_grid && !e.arms[0].is_grid);
}

#[test]
fn grid_trials_train_as_long_as_the_schedule() {
    let p = plan(
        r#"
  data: fashion_mnist(val: 1000)
  network: two_layer(100)
  optimizer: sgd(lr: 1e-3)
  arm pull_down: lambda = pull_down(250 iters)
  arm best_fixed: lambda = grid([3, 2, 1, 0])
"#,
    );
    let e = &p.experiments[0];
    assert_eq!(e.trials.len(), 5);
    for t in &e.trials {
        assert_eq!(t.iters, 1000, "{}", t.key.id);
    }
    let grid: Vec<_> = e.trials.iter().filter_map(|t| t.key.grid).collect();
    assert_eq!(grid.len(), 4);
    assert_eq!(grid[2].index, 2);
    assert_eq!(grid[2].value, 1.0);
    assert_eq!(e.trials[3].lambda, LambdaSpec::Constant(1.0));
    assert_eq!(e.trials[3].key.id, "e-c000-best_fixed-s1-g2");
}

#[test]
fn seeds_are_shared_across_arms_of_a_cell_and_differ_between_cells() {
    let p = plan(FIG1);
    let e = &p.experiments[0];
    for t in &e.trials {
        let same: Vec<_> = e
            .trials
            .iter()
            .filter(|u| u.key.cell == t.key.cell && u.key.seed_index == t.key.seed_index)
            .collect();
        assert!(same.iter().all(|u| u.key.seed == t.key.seed));
    }
    let a = e
        .trials
        .iter()
        .find(|t| t.key.cell == 0 && t.key.seed_index == 0)
        .unwrap();
    let b = e
        .trials
        .iter()
        .find(|t| t.key.cell == 1 && t.key.seed_index == 0)
        .unwrap();
    let c = e
        .trials
        .iter()
        .find(|t| t.key.cell == 0 && t.key.seed_index == 1)
        .unwrap();
    assert_ne!(a.key.seed, b.key.seed);
    assert_ne!(a.key.seed, c.key.seed);
    // Stable across runs and platforms.
    assert_eq!(plan(FIG1).experiments[0].trials[0].key.seed, a.key.seed);
}

#[test]
fn scale_shrinks_iterations_and_subsets_not_epochs() {
    let body = r#"
  data: fashion_mnist(val: 1000, subset: 4000)
  network: two_layer(100)
  optimizer: sgd(lr: 1e-3, decay: 0.5 per 1000 iters)
  checks: every 0.5 epochs
  arm pull_down: lambda = pull_down(250 iters)
  arm best_fixed: lambda = grid([1, 0])
"#;
    let full = plan(body);
    let small = plan_with(
        body,
        Options {
            seeds: None,
            scale: 0.1,
            ..Options::default()
        },
    );
    let (f, s) = (&full.experiments[0], &small.experiments[0]);
    assert_eq!(f.data.subset, Some(4000));
    assert_eq!(s.data.subset, Some(400));
    assert_eq!(f.trials[0].iters, 1000);
    assert_eq!(s.trials[0].iters, 100);
    assert_eq!(s.trials[1].iters, 100);
    assert_eq!(s.trials[0].checks_every, Duration::Epochs(0.5));
    assert_eq!(
        s.trials[0].optimizer.decay().map(|d| d.every),
        Some(Duration::Iters(100))
    );
    assert_eq!(s.trials[0].iters_per_epoch, 2);
}

#[test]
fn seeds_override() {
    let p = plan_with(
        FIG1,
        Options {
            seeds: Some(1),
            scale: 1.0,
            ..Options::default()
        },
    );
    assert_eq!(p.experiments[0].seeds, 1);
    assert_eq!(p.experiments[0].trials.len(), 6 * 5);
}

#[test]
fn defaults_and_paper_settings() {
    let p = plan(
        r#"
  data: fashion_mnist()
  network: two_layer(100)
  optimizer: sgd(lr: 1e-4)
  iters: 500
  arm a: lambda = 0.5
"#,
    );
    let t = &p.experiments[0].trials[0];
    assert_eq!(t.network.init, Init::He);
    assert_eq!(t.sampling, Sampling::Shuffle);
    assert_eq!(t.batch, 200);
    assert_eq!(t.checks_every, Duration::Epochs(1.0));
    assert_eq!(t.penalty.kind, PenaltyKind::L2);
    assert_eq!(p.experiments[0].data.normalize, Normalize::MeanImage);
    assert_eq!(p.experiments[0].data.train_size, 59_000);
    assert_eq!(t.iters_per_epoch, 295);
    assert_eq!(t.iters, 500);

    let p = plan(
        r#"
  data: fashion_mnist(val: 1000, normalize: raw_mean_image)
  network: two_layer(100)
  init: normal(1e-4)
  sampling: replacement
  optimizer: sgd(lr: 1e-4, decay: 0.95 per epoch)
  penalty: lp(p: 0.5)
  epochs: 2
  arm a: lambda = 0.5
"#,
    );
    let t = &p.experiments[0].trials[0];
    assert_eq!(t.network.init, Init::Normal { std: 1e-4 });
    assert_eq!(t.sampling, Sampling::Replacement);
    assert_eq!(t.penalty.kind, PenaltyKind::Lp { p: 0.5, eps: 1e-6 });
    assert_eq!(t.iters, 590);
    assert_eq!(p.experiments[0].data.normalize, Normalize::RawMeanImage);
}

#[test]
fn estimate_follows_the_benchmark_formula() {
    let p = plan(
        r#"
  data: fashion_mnist()
  network: two_layer(100)
  optimizer: sgd(lr: 1e-3)
  batch: 100
  iters: 10
  arm a: lambda = 0
"#,
    );
    let t = &p.experiments[0].trials[0];
    let fpe = 4.0 * 784.0 * 100.0 + 6.0 * 100.0 * 10.0;
    assert_eq!(t.estimate.flops_per_example, fpe);
    assert_eq!(t.estimate.total_flops, fpe * 100.0 * 10.0);
    assert_eq!(t.estimate.parameters, 784 * 100 + 100 + 100 * 10 + 10);
    let acts = 784 + 100 + 100 + 10;
    assert_eq!(
        t.estimate.memory_bytes,
        4 * (t.estimate.parameters * 4 + 100 * acts * 2)
    );
}

#[test]
fn policies_and_adjusted_schedules_resolve() {
    let text = r#"
import "std/policies"
network n { dense(10) }
schedule down = linear(from: 1, to: 0, over: 1000 iters)
experiment e {
  data: fashion_mnist()
  network: n
  optimizer: adam()
  arm fb: lambda = gap_feedback(tol: 0.03) from 0.5
  arm adj: lambda = down with gap_raise_only
  arm s: lambda = down then constant(0.1)
  iters: 3000
}
"#;
    let p = compile_source("t.reg", text, None, &Options::default())
        .map_err(|r| r.render(false, 80))
        .unwrap()
        .plan;
    let t = &p.experiments[0].trials;
    match &t[0].lambda {
        LambdaSpec::Policy { policy, from } => {
            assert_eq!(*from, 0.5);
            assert_eq!(policy.every, Duration::Iters(200));
            assert_eq!(policy.rules.len(), 2);
            assert_eq!(
                policy.rules[0].text,
                "when train_acc - val_acc > tol: lambda *= up"
            );
            assert_eq!(policy.clamp_lambda, Some((1e-5, 10.0)));
            assert!(policy.name.starts_with("gap_feedback(tol: 0.03"));
            // Parameters are substituted.
            assert!(format!("{:?}", policy.rules[0].when).contains("0.03"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &t[1].lambda,
        LambdaSpec::Adjusted {
            schedule: Schedule::Linear { .. },
            ..
        }
    ));
    assert!(matches!(
        &t[2].lambda,
        LambdaSpec::Schedule(Schedule::Then { .. })
    ));
    assert!(t.iter().all(|x| x.iters == 3000));
}

#[test]
fn errors_block_compilation_and_warnings_do_not() {
    let bad = format!("{HEADER}\nexperiment e {{ data: fashion_mnist() network: two_layer(7) optimizer: sgd(lr: 1) iters: 10 arm a: lambda = -1 }}");
    assert!(compile_source("t.reg", &bad, None, &Options::default()).is_err());
    let ok = format!("{HEADER}\nschedule unused_one = constant(1)\nexperiment e {{ data: fashion_mnist() network: two_layer(7) optimizer: sgd(lr: 1) arm a: lambda = pull_down(10 iters) }}");
    let c = compile_source("t.reg", &ok, None, &Options::default()).unwrap();
    assert_eq!(c.warnings.warning_count(), 1);
    assert_eq!(
        c.plan.experiments[0].trials[0].network.layers[2]
            .output
            .channels,
        10
    );
}

#[test]
fn plan_round_trips_through_yaml() {
    let p = plan(FIG1);
    let yaml = regime::plan::to_yaml(&p).unwrap();
    let back = regime::plan::from_yaml(&yaml).unwrap();
    assert_eq!(back, p);
}

#[test]
fn vary_over_names_selects_definitions_and_penalties() {
    let text = r#"
network small { dense(10) }
network big { dense(100) relu dense(10) }
data a = fashion_mnist(subset: 1000)
data b = synthetic(train: 3000, dim: 8, classes: 10)
experiment e {
  vary net in [small, big]
  vary pen in [l1, l2]
  data: b
  network: net
  penalty: pen
  optimizer: sgd(lr: 0.1)
  iters: 10
  arm a: lambda = 0.1
}
"#;
    let p = compile_source("t.reg", text, None, &Options::default())
        .map_err(|r| r.render(false, 80))
        .unwrap()
        .plan;
    let t = &p.experiments[0].trials;
    assert_eq!(t.len(), 4);
    assert_eq!(t[0].network.name, "small");
    assert_eq!(t[2].network.name, "big");
    assert_eq!(t[0].penalty.kind, PenaltyKind::L1 { proximal: false });
    assert_eq!(t[1].penalty.kind, PenaltyKind::L2);
    assert_eq!(t[3].network.input.channels, 8);
}

#[test]
fn splits_cross_seeds_and_carry_their_index_in_ids() {
    let one = plan(FIG1);
    let explicit = plan(&format!("{FIG1}\n  splits: 1"));
    // `splits: 1` is the default: same ids, seeds and serialized plan.
    assert_eq!(one.experiments[0].trials, explicit.experiments[0].trials);
    let yaml = regime::plan::to_yaml(&one).unwrap();
    assert!(!yaml.contains("split"), "{yaml}");

    let three = plan(&format!("{FIG1}\n  splits: 3"));
    let e = &three.experiments[0];
    assert_eq!(e.splits, 3);
    assert_eq!(e.trials.len(), 3 * one.experiments[0].trials.len());
    let ids: Vec<&str> = e.trials.iter().map(|t| t.key.id.as_str()).collect();
    assert!(ids.contains(&"e-c000-pull_down-p1-s1"), "{ids:?}");
    assert!(ids.contains(&"e-c005-best_fixed-p3-s2-g3"), "{ids:?}");
    let find = |split, seed| {
        e.trials
            .iter()
            .find(|t| {
                t.key.cell == 0
                    && t.key.arm == "pull_down"
                    && t.key.split == split
                    && t.key.seed_index == seed
            })
            .unwrap()
    };
    // Split 0 keeps the seeds of an experiment without splits; other splits differ.
    assert_eq!(find(0, 0).key.seed, one.experiments[0].trials[0].key.seed);
    assert_ne!(find(1, 0).key.seed, find(0, 0).key.seed);
    assert_ne!(find(1, 0).key.seed, find(2, 0).key.seed);
    // Pairing: every arm of a (cell, split, seed) shares the seed.
    for t in &e.trials {
        assert!(e
            .trials
            .iter()
            .filter(|u| u.key.cell == t.key.cell
                && u.key.split == t.key.split
                && u.key.seed_index == t.key.seed_index)
            .all(|u| u.key.seed == t.key.seed));
    }
    let yaml = regime::plan::to_yaml(&three).unwrap();
    assert!(
        yaml.contains("splits: 3") && yaml.contains("split: 2"),
        "{yaml}"
    );
    assert_eq!(regime::plan::from_yaml(&yaml).unwrap(), three);
}

#[test]
fn target_and_smoothing_are_compiled() {
    let p = plan(&format!("{FIG1}\n  target: val_acc >= 0.85\n  smooth: 5"));
    let e = &p.experiments[0];
    let t = e.target.unwrap();
    assert_eq!(
        (t.metric.name(), t.at_least, t.value),
        ("val_acc", true, 0.85)
    );
    assert_eq!(e.smooth, Some(5));
    let p = plan(&format!("{FIG1}\n  target: (val_loss <= 0.4)"));
    let t = p.experiments[0].target.unwrap();
    assert_eq!(
        (t.metric.name(), t.at_least, t.value),
        ("val_loss", false, 0.4)
    );
    assert_eq!(plan(FIG1).experiments[0].target, None);
}

/// A whole number written past i64 (1e23 as 24 digits) stays the number
/// written on its axis, as a float: it was cut to 9223372036854775807.
#[test]
fn axis_values_past_i64_are_not_cut() {
    let p = plan(
        r#"
  data: synthetic(train: 200, test: 50, dim: 4, classes: 10)
  vary big in [100000000000000000000000, 3]
  network: two_layer(4)
  optimizer: sgd(lr: 0.1)
  batch: 50
  iters: 10
  arm a: lambda = big * 0
"#,
    );
    assert_eq!(
        p.experiments[0].axes[0].values,
        [AxisValue::Float(1e23), AxisValue::Int(3)]
    );
}
