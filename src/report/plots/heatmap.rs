//! Annotated heatmaps (the paper's Figure 1): one cell per pair of axis
//! values, coloured on a diverging scale (blue = better, red = worse, white
//! = no difference) with a colour bar beside them, and each cell's mean ± 95%
//! CI written in it.

use super::legend::wrap;
use super::ticks::{label_at, linear_ticks, number, Ticked};
use super::{err, save_both, DrawResult, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_ticks: Vec<String>,
    pub y_ticks: Vec<String>,
    /// values[y][x]; NaN where missing.
    pub values: Vec<Vec<f64>>,
    /// Text written in each cell.
    pub labels: Vec<Vec<String>>,
    /// What the colour bar measures ("gain in test_acc (fraction)").
    pub value_label: String,
    /// Positive values are better (accuracies); false for losses.
    pub higher_is_better: bool,
    /// How to read the figure, under the colour bar.
    pub notes: Vec<String>,
}

const BAR_PANEL: u32 = 190;

/// Diverging colour and how strong it is (0 = white, 1 = full).
fn diverging(v: f64, max_abs: f64, higher_is_better: bool) -> (RGBColor, f64) {
    if !v.is_finite() || max_abs <= 0.0 {
        return (RGBColor(220, 220, 220), 0.0);
    }
    let t = (v / max_abs).clamp(-1.0, 1.0);
    let good = (t >= 0.0) == higher_is_better;
    let mix = |a: u8, b: u8, t: f64| (a as f64 + (b as f64 - a as f64) * t) as u8;
    let a = t.abs();
    let c = if good {
        RGBColor(mix(255, 33, a), mix(255, 102, a), mix(255, 172, a))
    } else {
        RGBColor(mix(255, 178, a), mix(255, 24, a), mix(255, 43, a))
    };
    (c, a)
}

fn max_abs(h: &Heatmap) -> f64 {
    h.values
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()))
}

fn centred(size: f64, c: &'static RGBColor) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(c)
        .pos(Pos::new(HPos::Center, VPos::Center))
}

fn draw_cells<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, h: &Heatmap) -> DrawResult {
    let (nx, ny) = (h.x_ticks.len().max(1), h.y_ticks.len().max(1));
    let cat = |t: &[String]| -> Vec<(f64, String)> {
        t.iter()
            .enumerate()
            .map(|(i, l)| (i as f64 + 0.5, l.clone()))
            .collect()
    };
    let (xt, yt) = (cat(&h.x_ticks), cat(&h.y_ticks));
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(
            Ticked::new(0.0, nx as f64, &xt),
            Ticked::new(0.0, ny as f64, &yt),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|x| label_at(&xt, *x))
        .y_label_formatter(&|y| label_at(&yt, *y))
        .x_desc(&h.x_label)
        .y_desc(&h.y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    let m = max_abs(h);
    for (yi, row) in h.values.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            let (x, y) = (xi as f64, yi as f64);
            let (fill, strength) = diverging(v, m, h.higher_is_better);
            let cell = Rectangle::new([(x, y), (x + 1.0, y + 1.0)], fill.filled());
            chart.draw_series(std::iter::once(cell)).map_err(err)?;
            let label = h.labels.get(yi).and_then(|r| r.get(xi)).cloned();
            // Dark cells get white text, so every label stays legible.
            let ink: &'static RGBColor = if strength > 0.6 { &WHITE } else { &BLACK };
            let text = Text::new(
                label.unwrap_or_default(),
                (x + 0.5, y + 0.5),
                centred(15.0, ink),
            );
            chart.draw_series(std::iter::once(text)).map_err(err)?;
        }
    }
    Ok(())
}

/// The colour bar: the diverging scale from −max to +max with its ticks,
/// its label above and the notes below.
fn draw_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, h: &Heatmap) -> DrawResult {
    let m = max_abs(h).max(1e-12);
    let (w, full_h) = area.dim_in_pixel();
    let label_lines = wrap(&h.value_label, 13.0, w - 20);
    let top = 14 + 17 * label_lines.len() as u32;
    let (head, rest) = area.split_vertically(top);
    let style = (FONT, 13).into_font();
    for (i, l) in label_lines.iter().enumerate() {
        head.draw(&Text::new(
            l.clone(),
            (10, 6 + 17 * i as i32),
            style.clone(),
        ))
        .map_err(err)?;
    }
    let bar_h = (full_h.saturating_sub(top)).saturating_mul(3) / 5;
    let (bar, notes) = rest.split_vertically(bar_h.max(120));
    let ticks: Vec<(f64, String)> = linear_ticks(-m, m, 6)
        .into_iter()
        .map(|v| (v, number(v)))
        .collect();
    let mut chart = ChartBuilder::on(&bar)
        .margin_left(12)
        .margin_top(6)
        .margin_bottom(6)
        .right_y_label_area_size(70)
        .build_cartesian_2d(Ticked::new(0.0, 1.0, &[]), Ticked::new(-m, m, &ticks))
        .map_err(err)?;
    let steps = 80;
    for k in 0..steps {
        let (a, b) = (
            -m + 2.0 * m * k as f64 / steps as f64,
            -m + 2.0 * m * (k + 1) as f64 / steps as f64,
        );
        let (c, _) = diverging((a + b) / 2.0, m, h.higher_is_better);
        let r = Rectangle::new([(0.0, a), (1.0, b)], c.filled());
        chart.draw_series(std::iter::once(r)).map_err(err)?;
    }
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|v| label_at(&ticks, *v))
        .label_style((FONT, 13))
        .draw()
        .map_err(err)?;
    let note_style = (FONT, 12.5).into_font().color(&RGBColor(80, 80, 80));
    let mut y = 14;
    for n in &h.notes {
        for l in wrap(n, 12.5, w - 20) {
            notes
                .draw(&Text::new(l, (10, y), note_style.clone()))
                .map_err(err)?;
            y += 16;
        }
        y += 4;
    }
    Ok(())
}

fn draw_heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, h: &Heatmap) -> DrawResult {
    let body = root.titled(&h.title, (FONT, 22)).map_err(err)?;
    let (w, _) = body.dim_in_pixel();
    let (cells, bar) = body.split_horizontally(w.saturating_sub(BAR_PANEL));
    draw_cells(&cells, h)?;
    draw_bar(&bar, h)
}

pub fn heatmap(stem: &Path, h: &Heatmap) -> DrawResult {
    let w = (160 * h.x_ticks.len() as u32 + 200).clamp(600, 1400) + BAR_PANEL;
    let hh = (70 * h.y_ticks.len() as u32 + 180).clamp(420, 1000);
    save_both(stem, (w, hh), &|r| draw_heatmap(r, h), &|r| {
        draw_heatmap(r, h)
    })
}
