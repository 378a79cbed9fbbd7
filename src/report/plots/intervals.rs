//! Interval plots: one row per comparison, its 95% interval as a bar, its
//! mean as a marker and every unit's value as a dot, against a line at 0 —
//! the figure that shows whether an interval excludes zero.

use super::legend;
use super::lines::{markers, Chart};
use super::ticks::{label_at, linear_ticks, number, signed, Ticked};
use super::{colour, err, save_both, text_width, DrawResult, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct IntervalRow {
    pub label: String,
    pub mean: f64,
    /// The interval's ends (NaN when there is none: fewer than two units).
    pub lo: f64,
    pub hi: f64,
    /// The values of the units of analysis behind the mean.
    pub units: Vec<f64>,
    pub style: usize,
}

#[derive(Debug, Clone, Default)]
pub struct IntervalPlot {
    pub title: String,
    pub x_label: String,
    /// Drawn top to bottom.
    pub rows: Vec<IntervalRow>,
    pub notes: Vec<String>,
}

const NOTES_W: u32 = 250;

fn x_range(p: &IntervalPlot) -> (f64, f64) {
    let mut v = vec![0.0];
    for r in &p.rows {
        v.extend([r.mean, r.lo, r.hi]);
        v.extend(&r.units);
    }
    let v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.08).max(1e-9);
    (lo - pad, hi + pad)
}

fn draw_row<DB: DrawingBackend>(chart: &mut Chart<DB>, r: &IntervalRow, y: f64) -> DrawResult {
    let c = colour(r.style);
    // A fixed spread (no randomness) keeps the figure reproducible.
    let n = r.units.len().max(1) as f64;
    let dots = r.units.iter().enumerate().map(|(k, &u)| {
        let dy = 0.28 * ((k as f64 + 0.5) / n - 0.5);
        Circle::new((u, y + 0.12 + dy), 3, c.mix(0.45).filled())
    });
    chart.draw_series(dots).map_err(err)?;
    if r.lo.is_finite() && r.hi.is_finite() {
        let bar = [(r.lo, y - 0.12), (r.hi, y - 0.12)];
        chart
            .draw_series(LineSeries::new(bar, c.stroke_width(3)))
            .map_err(err)?;
        for x in [r.lo, r.hi] {
            let cap = [(x, y - 0.2), (x, y - 0.04)];
            chart
                .draw_series(LineSeries::new(cap, c.stroke_width(2)))
                .map_err(err)?;
        }
    }
    markers(chart, &[(r.mean, y - 0.12)], r.style, c)?;
    let text = if r.lo.is_finite() && r.hi.is_finite() {
        format!(
            "{} [{}, {}]",
            signed(r.mean, 4),
            signed(r.lo, 4),
            signed(r.hi, 4)
        )
    } else {
        signed(r.mean, 4)
    };
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    chart
        .draw_series(std::iter::once(Text::new(text, (r.mean, y - 0.36), style)))
        .map_err(err)?;
    Ok(())
}

fn draw_intervals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &IntervalPlot,
) -> DrawResult {
    let body = root.titled(&p.title, (FONT, 22)).map_err(err)?;
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w.saturating_sub(NOTES_W));
    let n = p.rows.len().max(1);
    let yt: Vec<(f64, String)> = p
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((n - i) as f64 - 0.5, r.label.clone()))
        .collect();
    let (lo, hi) = x_range(p);
    let xt: Vec<(f64, String)> = linear_ticks(lo, hi, 7)
        .into_iter()
        .map(|v| (v, number(v)))
        .collect();
    let label_w = yt.iter().map(|t| text_width(&t.1, 14.0)).max().unwrap_or(0);
    let mut chart = ChartBuilder::on(&left)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size((label_w + 24).clamp(80, 320))
        .build_cartesian_2d(Ticked::new(lo, hi, &xt), Ticked::new(0.0, n as f64, &yt))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .bold_line_style(BLACK.mix(0.1))
        .x_label_formatter(&|x| label_at(&xt, *x))
        .y_label_formatter(&|y| label_at(&yt, *y))
        .x_desc(&p.x_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    let zero = [(0.0, 0.0), (0.0, n as f64)];
    chart
        .draw_series(LineSeries::new(zero, BLACK.mix(0.6).stroke_width(1)))
        .map_err(err)?;
    for (r, t) in p.rows.iter().zip(&yt) {
        draw_row(&mut chart, r, t.0)?;
    }
    legend::draw(&right, &[], &p.notes)
}

pub fn interval_plot(stem: &Path, p: &IntervalPlot) -> DrawResult {
    let h = (110 * p.rows.len() as u32 + 170).clamp(300, 2400);
    save_both(stem, (1000, h), &|r| draw_intervals(r, p), &|r| {
        draw_intervals(r, p)
    })
}
