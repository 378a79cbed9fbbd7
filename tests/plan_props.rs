//! Properties of compiled plans over generated experiments: whenever a
//! program compiles, trials = cells × seeds × Σ(arm sizes), every arm of a
//! cell shares the seed, grid trials train as long as the longest other arm,
//! and compiling never panics.

use proptest::prelude::*;
use regime::compile::{compile_source, Options};
use regime::plan::LambdaSpec;

fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..3000).prop_map(|n| format!("{n} iters")),
        (0u32..4).prop_map(|n| format!("{n} epochs")),
        Just("0.5 epochs".to_string()),
    ]
}

fn lambda() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..5).prop_map(|n| format!("{n}")),
        duration().prop_map(|d| format!("steps([3, 2, 1, 0], each: {d})")),
        duration().prop_map(|d| format!("linear(1, 0, over: {d})")),
        duration().prop_map(|d| format!("reverse(steps([1, 0], each: {d}))")),
        (duration(), duration())
            .prop_map(|(a, b)| format!("linear(1, 0, over: {a}) then cosine(1, 0, over: {b})")),
        Just("fb(tol: 0.02) from 1".to_string()),
        duration().prop_map(|d| format!("steps([1, 0], each: {d}) with fb()")),
        prop::collection::vec(0u32..4, 0..4).prop_map(|v| {
            let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            format!("grid([{}])", v.join(", "))
        }),
        Just("pd(each)".to_string()),
    ]
}

fn program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(lambda(), 1..4),
        prop::option::of(0u32..3000),
        prop::collection::vec(1u32..400, 0..3),
        prop::collection::vec(duration(), 0..3),
        0u32..4,
        1u32..300,
        prop::option::of(0u32..5000),
    )
        .prop_map(|(arms, iters, hidden, each, seeds, batch, subset)| {
            let mut body = String::new();
            if !hidden.is_empty() {
                let h: Vec<String> = hidden.iter().map(|x| x.to_string()).collect();
                body += &format!("  vary hidden in [{}]\n", h.join(", "));
            }
            if !each.is_empty() {
                body += &format!("  vary each in [{}]\n", each.join(", "));
            }
            let net = if hidden.is_empty() { "net(30)" } else { "net(hidden)" };
            let subset = subset.map(|s| format!(", subset: {s}")).unwrap_or_default();
            body += &format!("  data: fashion_mnist(val: 1000{subset})\n  network: {net}\n  optimizer: sgd(lr: 0.01)\n  batch: {batch}\n");
            if let Some(n) = iters {
                body += &format!("  iters: {n}\n");
            }
            if seeds > 0 {
                body += &format!("  seeds: {seeds}\n");
            }
            for (i, a) in arms.iter().enumerate() {
                let a = if each.is_empty() { a.replace("pd(each)", "pd(100 iters)") } else { a.clone() };
                body += &format!("  arm a{i}: lambda = {a}\n");
            }
            format!(
                "network net(h = 10) {{\n  dense(h)\n  relu\n  dense(10)\n}}\n\
                 schedule pd(each = 100 iters) = steps([3, 2, 1, 0], each: each)\n\
                 policy fb(tol = 0.05) {{\n  every 100 iters\n  when train_acc - val_acc > tol: lambda *= 1.5\n}}\n\
                 experiment e {{\n{body}}}\n"
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn compiled_plans_are_consistent(text in program(), scale in prop_oneof![Just(1.0), Just(0.1), Just(3.0)]) {
        let opts = Options { seeds: None, scale, ..Options::default() };
        let Ok(compiled) = compile_source("p.reg", &text, None, &opts) else { return Ok(()) };
        let e = &compiled.plan.experiments[0];
        let cells: usize = e.axes.iter().map(|a| a.values.len()).product();
        let per_seed: usize = e.trials.iter().filter(|t| t.key.cell == 0 && t.key.seed_index == 0).count();
        prop_assert_eq!(e.trials.len(), cells * e.seeds as usize * per_seed);
        for t in &e.trials {
            prop_assert!(t.iters >= 1);
            prop_assert!(t.iters_per_epoch >= 1);
            let same: Vec<_> = e.trials.iter().filter(|u| u.key.cell == t.key.cell && u.key.seed_index == t.key.seed_index).collect();
            prop_assert!(same.iter().all(|u| u.key.seed == t.key.seed));
            if let Some(g) = t.key.grid {
                prop_assert_eq!(&t.lambda, &LambdaSpec::Constant(g.value));
                let longest = same.iter().filter(|u| u.key.grid.is_none()).map(|u| u.iters).max();
                if let Some(longest) = longest {
                    prop_assert_eq!(t.iters, longest, "{}", t.key.id);
                }
            }
        }
        // Non-grid arms of a cell train equally long.
        for t in e.trials.iter().filter(|t| t.key.grid.is_none()) {
            for u in e.trials.iter().filter(|u| u.key.cell == t.key.cell && u.key.grid.is_none()) {
                prop_assert_eq!(t.iters, u.iters);
            }
        }
        let yaml = regime::plan::to_yaml(&compiled.plan).unwrap();
        prop_assert_eq!(regime::plan::from_yaml(&yaml).unwrap(), compiled.plan.clone());
    }
}

#[test]
fn some_generated_programs_compile() {
    // Guard against a generator whose programs never compile (the property
    // above would then test nothing).
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut ok = 0;
    for _ in 0..200 {
        let text = program().new_tree(&mut runner).unwrap().current();
        if compile_source("p.reg", &text, None, &Options::default()).is_ok() {
            ok += 1;
        }
    }
    eprintln!("{ok} of 200 generated programs compile");
    assert!(ok >= 20, "only {ok} of 200 generated programs compile");
}
