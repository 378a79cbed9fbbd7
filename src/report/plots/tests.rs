//! Every kind of figure is drawn to SVG and PNG; the SVG text says what a
//! reader sees: titles, axis names, tick labels, legend entries and notes.

use super::*;

fn svg(dir: &Path, stem: &str) -> String {
    for ext in ["svg", "png"] {
        let f = dir.join(format!("{stem}.{ext}"));
        let len = std::fs::metadata(&f).unwrap().len();
        assert!(len > 1000, "{} is only {len} bytes", f.display());
    }
    std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap()
}

/// The text elements of an SVG, in drawing order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn position(texts: &[String], s: &str) -> usize {
    texts
        .iter()
        .position(|t| t == s)
        .unwrap_or_else(|| panic!("no text {s:?} in {texts:?}"))
}

#[test]
fn a_gain_plot_has_categorical_ticks_a_zero_line_and_the_legend_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let band = |m: f64| Some(vec![(0.0, m - 0.01, m + 0.01), (1.0, m - 0.02, m + 0.02)]);
    let series = |name: &str, m: f64, style| Series {
        name: name.into(),
        points: vec![(0.0, m), (1.0, m)],
        band: band(m),
        style,
        thin: false,
        markers: true,
    };
    let plot = LinePlot {
        title: "gain".into(),
        x_label: "hidden units".into(),
        y_label: "gain (fraction)".into(),
        series: vec![
            series("each = 250 iters", -0.004, 0),
            series("each = 1000 iters", 0.003, 1),
        ],
        zero_line: true,
        x_ticks: Some(vec!["50".into(), "100".into()]),
        y_scale: Scale::Linear,
        notes: vec!["band: 95% CI".into()],
    };
    line_plot(&tmp.path().join("g"), &plot).unwrap();
    let t = texts(&svg(tmp.path(), "g"));
    for s in [
        "gain",
        "hidden units",
        "gain (fraction)",
        "50",
        "100",
        "0",
        "band: 95% CI",
    ] {
        position(&t, s);
    }
    assert!(position(&t, "each = 250 iters") < position(&t, "each = 1000 iters"));
    assert!(
        !t.iter()
            .any(|s| s == "-0" || s == "-0.0" || s.ends_with(".0")),
        "{t:?}"
    );
}

#[test]
fn lambda_on_a_log_axis_labels_zero_on_its_floor() {
    let tmp = tempfile::tempdir().unwrap();
    let plot = LinePlot {
        title: "λ".into(),
        x_label: "iteration".into(),
        y_label: "λ (log scale)".into(),
        series: vec![
            Series {
                name: "pull_down".into(),
                points: vec![
                    (0.0, 0.01),
                    (250.0, 0.01),
                    (250.0, 0.001),
                    (500.0, 0.001),
                    (500.0, 0.0),
                    (1000.0, 0.0),
                ],
                ..Default::default()
            },
            Series {
                name: "none".into(),
                points: vec![(0.0, 0.0), (1000.0, 0.0)],
                style: 1,
                ..Default::default()
            },
        ],
        y_scale: Scale::Log,
        ..Default::default()
    };
    line_plot(&tmp.path().join("l"), &plot).unwrap();
    let t = texts(&svg(tmp.path(), "l"));
    for s in [
        "0",
        "0.001",
        "0.01",
        "iteration",
        "λ (log scale)",
        "pull_down",
        "none",
        "1000",
    ] {
        position(&t, s);
    }
    assert!(!t.iter().any(|s| s.ends_with(".0")), "{t:?}");
}

#[test]
fn a_heatmap_has_a_colour_bar_and_its_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let h = Heatmap {
        title: "t".into(),
        x_label: "hidden".into(),
        y_label: "each".into(),
        x_ticks: vec!["50".into(), "100".into()],
        y_ticks: vec!["250 iters".into()],
        values: vec![vec![0.005, f64::NAN]],
        labels: vec![vec!["+0.005 ± 0.002".into(), "–".into()]],
        value_label: "gain in test_acc (fraction)".into(),
        higher_is_better: true,
        notes: vec!["± = 95% CI".into()],
    };
    heatmap(&tmp.path().join("h"), &h).unwrap();
    let t = texts(&svg(tmp.path(), "h"));
    for s in [
        "hidden",
        "each",
        "50",
        "250 iters",
        "+0.005 ± 0.002",
        "± = 95% CI",
        "0",
        "0.004",
        "-0.004",
    ] {
        position(&t, s);
    }
    position(&t, "gain in test_acc (fraction)");
}

#[test]
fn an_interval_plot_names_its_rows_and_axis() {
    let tmp = tempfile::tempdir().unwrap();
    let row = |label: &str, mean: f64, style| IntervalRow {
        label: label.into(),
        mean,
        lo: mean - 0.03,
        hi: mean + 0.03,
        units: vec![mean - 0.02, mean, mean + 0.02],
        style,
    };
    let p = IntervalPlot {
        title: "gain over best_fixed".into(),
        x_label: "gain in test_loss (fraction)".into(),
        rows: vec![row("none", 0.27, 0), row("pull_down", 0.07, 1)],
        notes: vec!["bar: 95% CI; dots: splits (n = 3)".into()],
    };
    interval_plot(&tmp.path().join("i"), &p).unwrap();
    let t = texts(&svg(tmp.path(), "i"));
    for s in [
        "none",
        "pull_down",
        "gain in test_loss (fraction)",
        "0",
        "bar: 95% CI; dots: splits (n = 3)",
    ] {
        position(&t, s);
    }
}
