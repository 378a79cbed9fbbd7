//! Every plot a report makes exists (SVG and PNG) and says what it shows:
//! its axis names, legend entries and notes are in the SVG text. One small
//! run covers every kind: two `vary` axes (heatmaps, gain against an axis),
//! a schedule, a policy and a grid with λ = 0 (the log axis' floor), on two
//! splits × two seeds.

use regime::compile::{compile, Options};
use regime::results::ResultsDir;
use regime::run::runner::{run, RunOptions};
use std::path::Path;

fn source() -> String {
    format!(
        r#"
data sample = fashion_mnist(path: "{}/src/data/fashion-mnist-sample", val: 200, subset: 300)

network mlp(hidden = 8) {{
  dense(hidden)
  relu
  dense(10)
}}

schedule pull_down(each = 10 iters) = steps([0.01, 0.003, 0.0], each: each)

policy widen {{
  every 10 iters
  when train_acc - val_acc > 0.0: lambda *= 2
  clamp lambda in [1e-4, 1]
}}

experiment plots {{
  data: sample
  vary hidden in [16, 8]
  vary each in [10 iters, 5 iters]
  network: mlp(hidden)
  optimizer: sgd(lr: 0.05, momentum: 0.9)
  batch: 50
  iters: 30
  checks: every 10 iters
  arm pull_down: lambda = pull_down(each)
  arm widen: lambda = widen from 1e-3
  arm best_fixed: lambda = grid([0.01, 0.0])
  splits: 2
  seeds: 2
}}
"#,
        env!("CARGO_MANIFEST_DIR")
    )
}

fn run_report(dir: &Path) -> ResultsDir {
    let file = dir.join("plots.reg");
    std::fs::write(&file, source()).unwrap();
    let plan = compile(&file, &Options::default())
        .unwrap_or_else(|r| panic!("{}", r.render(false, 80)))
        .plan;
    let opts = RunOptions {
        jobs: 2,
        out: Some(dir.join("out")),
        resume: None,
        progress: false,
        verbose: false,
        scale: 1.0,
        seeds: None,
        threads: None,
    };
    let report = run(&plan, &std::fs::read_to_string(&file).unwrap(), &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    regime::report::figures::write_report(&report.results).unwrap_or_else(|e| panic!("{e}"));
    ResultsDir::open(report.dir).unwrap()
}

/// The SVG's texts, each trimmed (plotters writes one `<text>` per label).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

#[test]
fn every_plot_exists_and_names_its_axes_legend_and_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_report(tmp.path());
    let plots = dir.root.join("plots");
    // (plot, texts it must show: axis names, legend entries, notes)
    let mut expect: Vec<(String, Vec<&str>)> = vec![
        (
            "gain".into(),
            vec![
                "gain in test_acc (fraction): arm − best_fixed",
                "pull_down (hidden = 8, each = 5 iters)",
                "widen (hidden = 16, each = 10 iters)",
            ],
        ),
        (
            "gain-pull_down".into(),
            vec![
                "hidden",
                "each",
                "16",
                "5 iters",
                "gain in test_acc (fraction)",
                "± = 95% CI (t interval over the units)",
            ],
        ),
        (
            "gain-widen".into(),
            vec!["hidden", "each", "± = 95% CI (t interval over the units)"],
        ),
        (
            "gain-vs-hidden".into(),
            vec!["hidden", "gain in test_acc (fraction)", "8", "16"],
        ),
    ];
    for cell in 0..4 {
        expect.push((
            format!("val-acc-c{cell:03}"),
            vec![
                "epoch",
                "validation accuracy (fraction)",
                "pull_down (n = 2 splits × 2 seeds)",
                "best_fixed (n = 2 splits × 2 seeds)",
            ],
        ));
        expect.push((
            format!("val-loss-c{cell:03}"),
            vec![
                "epoch",
                "validation loss (cross-entropy)",
                "widen (n = 2 splits × 2 seeds)",
            ],
        ));
        expect.push((
            format!("lambda-c{cell:03}"),
            vec!["iteration", "λ", "0.01", "widen"],
        ));
    }
    for (stem, want) in &expect {
        for ext in ["svg", "png"] {
            let f = plots.join(format!("{stem}.{ext}"));
            assert!(f.exists(), "missing plot {}", f.display());
        }
        let t = texts(&std::fs::read_to_string(plots.join(format!("{stem}.svg"))).unwrap());
        // Long legend entries and notes wrap over several texts.
        let joined = t.join(" ");
        for w in want {
            assert!(joined.contains(w), "{stem}: no {w:?} in {t:?}");
        }
        if stem.starts_with("lambda") {
            assert!(
                t.iter().any(|x| x == "0"),
                "{stem}: no λ = 0 floor tick in {t:?}"
            );
        }
        assert!(
            !t.iter().any(|x| x == "-0" || x.ends_with(".0")),
            "{stem}: {t:?}"
        );
    }
    // Legend in value order: each = 5 iters before 10 iters, although the
    // file declares 10 first.
    let t = texts(&std::fs::read_to_string(plots.join("gain-vs-hidden.svg")).unwrap());
    let at = |s: &str| {
        t.iter()
            .position(|x| x.starts_with(s))
            .unwrap_or_else(|| panic!("{s} in {t:?}"))
    };
    assert!(
        at("pull_down, each = 5 iters") < at("pull_down, each = 10 iters"),
        "{t:?}"
    );
    // λ: the baseline names the constant each unit chose; the floor is noted.
    let t = texts(&std::fs::read_to_string(plots.join("lambda-c000.svg")).unwrap()).join(" ");
    assert!(t.contains("best_fixed: λ = "), "{t}");
    assert!(t.contains("chosen by"), "{t}");
    assert!(t.contains("below the axis break"), "{t}");
}
