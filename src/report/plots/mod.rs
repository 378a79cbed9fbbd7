//! Drawing (SVG and PNG, with plotters): line charts with bands on linear
//! or log axes, interval plots and annotated heatmaps with a colour bar.
//! What to plot is decided in `figures`; this module only draws.
//!
//! Every figure keeps its legend and notes in a panel right of the data,
//! so nothing covers a line; series are told apart by colour, dash pattern
//! and marker, so they survive a black-and-white print and overlapping
//! bands.

mod heatmap;
mod intervals;
mod legend;
mod lines;
pub mod ticks;

pub use heatmap::{heatmap, Heatmap};
pub use intervals::{interval_plot, IntervalPlot, IntervalRow};
pub use lines::{line_plot, LinePlot, Scale, Series};

use crate::results::{write_atomic, ResultsError};
use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// PNG text needs a font; the bundled DejaVu Sans keeps output identical on
/// every machine.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // invariant: the bundled font is a valid TTF (checked by the plot tests).
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

/// Colours of series styles (Tableau 10, which stays distinct for the
/// common colour-vision deficiencies when paired with dashes and markers).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Dash patterns (dash, gap in pixels; gap 0 = solid), cycled against the
/// palette with a different period so that style i and i + 6 still differ.
const DASHES: [(u32, u32); 4] = [(1, 0), (9, 5), (3, 4), (14, 4)];

/// The look of series style `i`: its colour and dash pattern.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn dash(i: usize) -> (u32, u32) {
    DASHES[i % DASHES.len()]
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

/// Width in pixels of `text` at `size` points in the plot font (estimated
/// from the font's metrics; a rough per-character width when that fails).
fn text_width(text: &str, size: f64) -> u32 {
    register_font();
    let font = (FONT, size).into_font();
    match font.box_size(text) {
        Ok((w, _)) => w,
        Err(_) => (text.chars().count() as f64 * size * 0.6) as u32,
    }
}

#[cfg(test)]
mod tests;
