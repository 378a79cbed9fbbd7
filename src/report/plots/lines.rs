//! Line charts: lines with optional bands, on a linear or log y axis (λ),
//! with a numeric or categorical x axis, and the legend beside the data.

use super::legend::{self, Entry};
use super::ticks::{label_at, linear_ticks, number, LogAxis, Ticked};
use super::{colour, dash, err, save_both, DrawResult, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// How the y axis maps values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Scale {
    #[default]
    Linear,
    /// log10, with 0 on a floor line below an axis break (see `LogAxis`).
    Log,
}

#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend text; series with an empty name get no entry (the per-seed
    /// lines after the first of an arm).
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Lower and upper edge of a band around the line, at the same x.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Colour, dash and marker: series of one arm share a style.
    pub style: usize,
    /// A thin, translucent line (one seed among many).
    pub thin: bool,
    /// A marker at every point (measured values; not λ's staircase corners).
    pub markers: bool,
}

#[derive(Debug, Clone, Default)]
pub struct LinePlot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Drawn in this order; the legend lists them in this order too.
    pub series: Vec<Series>,
    /// Draw a horizontal line at y = 0 (for gains).
    pub zero_line: bool,
    /// Categorical x axis: point x = i stands for `x_ticks[i]`, evenly spaced
    /// (values of a `vary` axis are often geometric: 50, 100, …, 800).
    pub x_ticks: Option<Vec<String>>,
    pub y_scale: Scale,
    /// How to read the figure, printed under the legend.
    pub notes: Vec<String>,
}

/// The x or y axis of a chart: its range and labelled ticks.
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
}

fn span(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo - pad * (hi - lo), hi + pad * (hi - lo))
    }
}

fn linear_axis(lo: f64, hi: f64, count: usize) -> Axis {
    let ticks = linear_ticks(lo, hi, count)
        .into_iter()
        .map(|v| (v, number(v)))
        .collect();
    Axis { lo, hi, ticks }
}

fn x_axis(plot: &LinePlot) -> Axis {
    if let Some(t) = &plot.x_ticks {
        // Categories sit at cell centres i + 0.5.
        let ticks = t
            .iter()
            .enumerate()
            .map(|(i, l)| (i as f64 + 0.5, l.clone()))
            .collect();
        return Axis {
            lo: 0.0,
            hi: t.len().max(1) as f64,
            ticks,
        };
    }
    let xs = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = span(xs, 0.02);
    linear_axis(lo, hi, 8)
}

fn y_values(plot: &LinePlot) -> Vec<f64> {
    let mut ys: Vec<f64> = vec![];
    for s in &plot.series {
        ys.extend(s.points.iter().map(|p| p.1));
        ys.extend(s.band.iter().flatten().flat_map(|b| [b.1, b.2]));
    }
    if plot.zero_line {
        ys.push(0.0);
    }
    ys
}

/// The y axis, and the log axis when the values are drawn on one.
fn y_axis(plot: &LinePlot) -> (Axis, Option<LogAxis>) {
    let ys = y_values(plot);
    if plot.y_scale == Scale::Log {
        if let Some(log) = LogAxis::new(&ys) {
            let axis = Axis {
                lo: log.lo,
                hi: log.hi,
                ticks: log.ticks.clone(),
            };
            return (axis, Some(log));
        }
    }
    let (lo, hi) = span(ys.into_iter(), 0.06);
    (linear_axis(lo, hi, 7), None)
}

fn entries(plot: &LinePlot) -> Vec<Entry> {
    plot.series
        .iter()
        .filter(|s| !s.name.is_empty())
        .map(|s| Entry {
            text: s.name.clone(),
            style: s.style,
            band: s.band.is_some(),
            marker: s.markers,
        })
        .collect()
}

fn draw_lines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plot: &LinePlot) -> DrawResult {
    let body = root.titled(&plot.title, (FONT, 22)).map_err(err)?;
    let entries = entries(plot);
    let (w, _) = body.dim_in_pixel();
    let (left, right) = body.split_horizontally(w.saturating_sub(legend::width(&entries)));
    let xa = x_axis(plot);
    let (ya, log) = y_axis(plot);
    let y = |v: f64| log.as_ref().map_or(v, |l| l.position(v));
    let shift = if plot.x_ticks.is_some() { 0.5 } else { 0.0 };
    let mut chart = ChartBuilder::on(&left)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(
            Ticked::new(xa.lo, xa.hi, &xa.ticks),
            Ticked::new(ya.lo, ya.hi, &ya.ticks),
        )
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    if plot.x_ticks.is_some() {
        mesh.disable_x_mesh();
    }
    mesh.x_label_formatter(&|x| label_at(&xa.ticks, *x))
        .y_label_formatter(&|v| label_at(&ya.ticks, *v))
        .bold_line_style(BLACK.mix(0.1))
        .x_desc(&plot.x_label)
        .y_desc(&plot.y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    if plot.zero_line {
        let zero = [(xa.lo, 0.0), (xa.hi, 0.0)];
        chart
            .draw_series(LineSeries::new(zero, BLACK.mix(0.5).stroke_width(1)))
            .map_err(err)?;
    }
    if let Some(b) = log.as_ref().and_then(|l| l.break_at) {
        draw_break(&mut chart, xa.lo, b)?;
    }
    // Every band first, so that no band covers another series' line.
    for s in &plot.series {
        draw_band(&mut chart, s, shift, &y)?;
    }
    for s in &plot.series {
        draw_series(&mut chart, s, shift, &y)?;
    }
    legend::draw(&right, &entries, &plot.notes)
}

pub(super) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// The "≈" cut across the y axis between the λ = 0 floor and the log part.
fn draw_break<DB: DrawingBackend>(chart: &mut Chart<DB>, x0: f64, at: f64) -> DrawResult {
    let cut = EmptyElement::at((x0, at))
        + Rectangle::new([(-8, -4), (8, 4)], WHITE.filled())
        + PathElement::new([(-8, 0), (8, -6)], BLACK.stroke_width(1))
        + PathElement::new([(-8, 6), (8, 0)], BLACK.stroke_width(1));
    chart.draw_series(std::iter::once(cut)).map_err(err)?;
    Ok(())
}

fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    s: &Series,
    shift: f64,
    y: &dyn Fn(f64) -> f64,
) -> DrawResult {
    let Some(band) = &s.band else { return Ok(()) };
    let band: Vec<(f64, f64, f64)> = band
        .iter()
        .filter(|(_, lo, hi)| lo.is_finite() && hi.is_finite())
        .map(|&(x, lo, hi)| (x + shift, y(lo), y(hi)))
        .collect();
    if band.len() < 2 {
        return Ok(());
    }
    let c = colour(s.style);
    let mut poly: Vec<(f64, f64)> = band.iter().map(|&(x, _, hi)| (x, hi)).collect();
    poly.extend(band.iter().rev().map(|&(x, lo, _)| (x, lo)));
    chart
        .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.15).filled())))
        .map_err(err)?;
    // Edges in the series' dash pattern tell overlapping bands apart.
    for edge in [
        band.iter().map(|b| (b.0, b.1)).collect::<Vec<_>>(),
        band.iter().map(|b| (b.0, b.2)).collect(),
    ] {
        path(chart, edge, s.style, c.mix(0.45).stroke_width(1))?;
    }
    Ok(())
}

fn path<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    pts: Vec<(f64, f64)>,
    style_index: usize,
    style: ShapeStyle,
) -> DrawResult {
    let (on, off) = dash(style_index);
    if off == 0 {
        chart
            .draw_series(LineSeries::new(pts, style))
            .map_err(err)?;
    } else {
        chart
            .draw_series(DashedLineSeries::new(pts, on, off, style))
            .map_err(err)?;
    }
    Ok(())
}

fn draw_series<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    s: &Series,
    shift: f64,
    y: &dyn Fn(f64) -> f64,
) -> DrawResult {
    let c = colour(s.style);
    let pts: Vec<(f64, f64)> = s
        .points
        .iter()
        .map(|&(x, v)| (x + shift, y(v)))
        .filter(|(x, v)| x.is_finite() && v.is_finite())
        .collect();
    let style = if s.thin {
        c.mix(0.6).stroke_width(1)
    } else {
        c.stroke_width(2)
    };
    path(chart, pts.clone(), s.style, style)?;
    if s.markers && pts.len() <= 60 {
        markers(chart, &pts, s.style, c)?;
    }
    Ok(())
}

/// Markers of style `i` at `pts`: circle, triangle, square or cross.
pub(super) fn markers<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    pts: &[(f64, f64)],
    i: usize,
    c: RGBColor,
) -> DrawResult {
    let s = c.filled();
    let it = pts.iter().copied();
    match i % 4 {
        0 => chart
            .draw_series(it.map(|p| Circle::new(p, 4, s)))
            .map(|_| ()),
        1 => chart
            .draw_series(it.map(|p| TriangleMarker::new(p, 5, s)))
            .map(|_| ()),
        2 => chart
            .draw_series(it.map(|p| EmptyElement::at(p) + Rectangle::new([(-3, -3), (3, 3)], s)))
            .map(|_| ()),
        _ => chart
            .draw_series(it.map(|p| Cross::new(p, 4, c.stroke_width(2))))
            .map(|_| ()),
    }
    .map_err(err)
}

pub fn line_plot(stem: &Path, plot: &LinePlot) -> DrawResult {
    let legend_w = legend::width(&entries(plot));
    save_both(
        stem,
        (760 + legend_w, 540),
        &|r| draw_lines(r, plot),
        &|r| draw_lines(r, plot),
    )
}
