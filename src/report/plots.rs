//! Plots (SVG and PNG, with plotters): line charts with confidence bands and
//! annotated heatmaps. What to plot is decided in `figures`; this module only
//! draws.

use crate::results::{write_atomic, ResultsError};
use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// PNG text needs a font; the bundled DejaVu Sans keeps output identical on
/// every machine.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // invariant: the bundled font is a valid TTF (checked by the plot tests).
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

#[derive(Debug, Clone, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Lower and upper edge of a band around the line, at the same x.
    pub band: Option<Vec<(f64, f64, f64)>>,
}

#[derive(Debug, Clone, Default)]
pub struct LinePlot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Draw a horizontal line at y = 0 (for gains).
    pub zero_line: bool,
    /// Categorical x axis: point x = i stands for `x_ticks[i]`, evenly spaced
    /// (values of a `vary` axis are often geometric: 50, 100, …, 800).
    pub x_ticks: Option<Vec<String>>,
}

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
}

/// Why a plot was not made: drawing failed, or writing its file did.
#[derive(Debug)]
pub enum PlotError {
    Draw(String),
    Write(ResultsError),
}

impl From<String> for PlotError {
    fn from(m: String) -> Self {
        PlotError::Draw(m)
    }
}

type DrawResult = Result<(), PlotError>;

fn err<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Draw(format!("{e:?}"))
}

/// Draws with `draw` into `<stem>.svg` and `<stem>.png`.
fn save_both(
    stem: &Path,
    size: (u32, u32),
    draw: &dyn Fn(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
    draw_png: &dyn Fn(&DrawingArea<BitMapBackend, Shift>) -> DrawResult,
) -> DrawResult {
    register_font();
    // Both are drawn in memory and written atomically: a full disk or a
    // crash never leaves a half-written plot, and a symlink is never followed.
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw_png(&root)?;
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, size.0, size.1, image::ColorType::Rgb8)
        .map_err(err)?;
    write_atomic(&stem.with_extension("svg"), svg.as_bytes()).map_err(PlotError::Write)?;
    write_atomic(&stem.with_extension("png"), &png).map_err(PlotError::Write)
}

fn bounds(plot: &LinePlot) -> ((f64, f64), (f64, f64)) {
    let mut xs = vec![];
    let mut ys = vec![];
    for s in &plot.series {
        for &(x, y) in &s.points {
            xs.push(x);
            ys.push(y);
        }
        for &(x, lo, hi) in s.band.iter().flatten() {
            xs.push(x);
            ys.extend([lo, hi]);
        }
    }
    if plot.zero_line {
        ys.push(0.0);
    }
    let fin = |v: &Vec<f64>| {
        let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        let lo = f.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if hi - lo < 1e-12 {
            (lo - 0.5, hi + 0.5)
        } else {
            let pad = 0.05 * (hi - lo);
            (lo - pad, hi + pad)
        }
    };
    (fin(&xs), fin(&ys))
}

fn draw_lines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plot: &LinePlot) -> DrawResult {
    let ((mut x0, mut x1), (y0, y1)) = bounds(plot);
    // Categories sit at cell centres i + 0.5 so that `tick` can label them.
    let shift = if plot.x_ticks.is_some() { 0.5 } else { 0.0 };
    if let Some(t) = &plot.x_ticks {
        (x0, x1) = (0.0, t.len().max(1) as f64);
    }
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.title, (FONT, 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    let ticks = plot.x_ticks.clone();
    let format = move |x: &f64| match &ticks {
        Some(t) => tick(t, *x),
        None => format!("{x}"),
    };
    if let Some(t) = &plot.x_ticks {
        mesh.x_labels(t.len() * 2 + 1).disable_x_mesh();
    }
    mesh.x_label_formatter(&format)
        .x_desc(&plot.x_label)
        .y_desc(&plot.y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    if plot.zero_line {
        chart
            .draw_series(LineSeries::new(
                [(x0, 0.0), (x1, 0.0)],
                BLACK.mix(0.4).stroke_width(1),
            ))
            .map_err(err)?;
    }
    for (i, s) in plot.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if let Some(band) = &s.band {
            let band: Vec<&(f64, f64, f64)> = band
                .iter()
                .filter(|(_, lo, hi)| lo.is_finite() && hi.is_finite())
                .collect();
            if band.len() >= 2 {
                let mut poly: Vec<(f64, f64)> =
                    band.iter().map(|&&(x, _, hi)| (x + shift, hi)).collect();
                poly.extend(band.iter().rev().map(|&&(x, lo, _)| (x + shift, lo)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        color.mix(0.18).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|&(x, y)| (x + shift, y))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(&s.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        if pts.len() <= 30 {
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(err)?;
        }
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(err)
}

pub fn line_plot(stem: &Path, plot: &LinePlot) -> DrawResult {
    save_both(stem, (900, 560), &|r| draw_lines(r, plot), &|r| {
        draw_lines(r, plot)
    })
}

/// Diverging colour: blue for gains, red for losses, white at 0.
fn diverging(v: f64, max_abs: f64) -> RGBColor {
    if !v.is_finite() || max_abs <= 0.0 {
        return RGBColor(220, 220, 220);
    }
    let t = (v / max_abs).clamp(-1.0, 1.0);
    let mix = |a: u8, b: u8, t: f64| (a as f64 + (b as f64 - a as f64) * t) as u8;
    if t >= 0.0 {
        RGBColor(mix(255, 33, t), mix(255, 102, t), mix(255, 172, t))
    } else {
        RGBColor(mix(255, 178, -t), mix(255, 24, -t), mix(255, 43, -t))
    }
}

fn draw_heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, h: &Heatmap) -> DrawResult {
    let nx = h.x_ticks.len().max(1);
    let ny = h.y_ticks.len().max(1);
    let max_abs = h
        .values
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let mut chart = ChartBuilder::on(root)
        .caption(&h.title, (FONT, 22))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
        .map_err(err)?;
    let xt = h.x_ticks.clone();
    let yt = h.y_ticks.clone();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&move |x| tick(&xt, *x))
        .y_label_formatter(&move |y| tick(&yt, *y))
        .x_desc(&h.x_label)
        .y_desc(&h.y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    for (yi, row) in h.values.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            let (x, y) = (xi as f64, yi as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    diverging(v, max_abs).filled(),
                )))
                .map_err(err)?;
            let label = h
                .labels
                .get(yi)
                .and_then(|r| r.get(xi))
                .cloned()
                .unwrap_or_default();
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (x + 0.5, y + 0.5),
                    TextStyle::from((FONT, 15).into_font()).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    ),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Label of the cell whose centre is at `v` (ticks fall on centres and edges;
/// edges get no label).
fn tick(ticks: &[String], v: f64) -> String {
    let frac = v - v.floor();
    if (frac - 0.5).abs() > 1e-6 {
        return String::new();
    }
    ticks.get(v.floor() as usize).cloned().unwrap_or_default()
}

pub fn heatmap(stem: &Path, h: &Heatmap) -> DrawResult {
    let w = (160 * h.x_ticks.len() as u32 + 200).clamp(600, 1400);
    let hh = (70 * h.y_ticks.len() as u32 + 180).clamp(400, 1000);
    save_both(stem, (w, hh), &|r| draw_heatmap(r, h), &|r| {
        draw_heatmap(r, h)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_svg_and_png_for_lines_and_heatmaps() {
        let tmp = tempfile::tempdir().unwrap();
        let plot = LinePlot {
            title: "gain".into(),
            x_label: "hidden units".into(),
            y_label: "gain (pts)".into(),
            series: vec![Series {
                name: "pull_down".into(),
                points: vec![(0.0, 0.1), (1.0, 0.3)],
                band: Some(vec![(0.0, 0.0, 0.2), (1.0, 0.1, 0.5)]),
            }],
            zero_line: true,
            x_ticks: Some(vec!["50".into(), "100".into()]),
        };
        line_plot(&tmp.path().join("g"), &plot).unwrap();
        let h = Heatmap {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_ticks: vec!["a".into(), "b".into()],
            y_ticks: vec!["c".into()],
            values: vec![vec![0.5, f64::NAN]],
            labels: vec![vec!["+0.5".into(), "–".into()]],
        };
        heatmap(&tmp.path().join("h"), &h).unwrap();
        for f in ["g.svg", "g.png", "h.svg", "h.png"] {
            let len = std::fs::metadata(tmp.path().join(f)).unwrap().len();
            assert!(len > 1000, "{f} is only {len} bytes");
        }
        let svg = std::fs::read_to_string(tmp.path().join("g.svg")).unwrap();
        assert!(svg.contains("pull_down") && svg.contains("hidden units"));
    }
}
