//! The panel right of a chart: the legend (a sample of each series' line,
//! with its dash, marker and band, then its text) and notes that say how to
//! read the figure. It sits outside the data area, so it never hides a line.

use super::{colour, dash, err, text_width, DrawResult, FONT};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// One legend entry, drawn in series style `style`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub text: String,
    pub style: usize,
    /// Show the band swatch behind the line sample.
    pub band: bool,
    pub marker: bool,
}

const TEXT: f64 = 14.0;
const NOTE: f64 = 12.5;
const SAMPLE_W: i32 = 36;
const PAD: i32 = 12;
const LINE_H: i32 = 18;
const MIN_W: u32 = 190;
const MAX_W: u32 = 340;

/// Width of the panel: the widest entry, within [MIN_W, MAX_W] (longer
/// texts wrap).
pub fn width(entries: &[Entry]) -> u32 {
    let widest = entries
        .iter()
        .map(|e| text_width(&e.text, TEXT) + (SAMPLE_W + 3 * PAD) as u32)
        .max()
        .unwrap_or(0);
    widest.clamp(MIN_W, MAX_W)
}

/// `text` broken at spaces into lines at most `max` pixels wide.
pub fn wrap(text: &str, size: f64, max: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A point marker of style `i` at pixel `p`.
pub fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: (i32, i32),
    i: usize,
    c: RGBAColor,
) -> DrawResult {
    let s = c.filled();
    match i % 4 {
        0 => area.draw(&Circle::new(p, 4, s)),
        1 => area.draw(&TriangleMarker::new(p, 5, s)),
        2 => area.draw(&Rectangle::new([(p.0 - 3, p.1 - 3), (p.0 + 3, p.1 + 3)], s)),
        _ => area.draw(&Cross::new(p, 4, c.stroke_width(2))),
    }
    .map_err(err)
}

/// A line from `a` to `b` in style `i`'s dash pattern.
pub fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pts: Vec<(i32, i32)>,
    i: usize,
    style: ShapeStyle,
) -> DrawResult {
    let (on, off) = dash(i);
    if off == 0 {
        area.draw(&PathElement::new(pts, style)).map_err(err)
    } else {
        area.draw(&DashedPathElement::new(pts, on, off, style))
            .map_err(err)
    }
}

/// Draws the entries, then the notes (smaller, grey), from the top of `area`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    notes: &[String],
) -> DrawResult {
    let (w, _) = area.dim_in_pixel();
    let text_w = (w as i32 - SAMPLE_W - 3 * PAD).max(40) as u32;
    let mut y = 2 * PAD;
    let font = (FONT, TEXT).into_font();
    for e in entries {
        let c = colour(e.style);
        let mid = y + LINE_H / 2 - 1;
        if e.band {
            area.draw(&Rectangle::new(
                [(PAD, mid - 7), (PAD + SAMPLE_W, mid + 7)],
                c.mix(0.18).filled(),
            ))
            .map_err(err)?;
        }
        let line = vec![(PAD, mid), (PAD + SAMPLE_W, mid)];
        dashed(area, line, e.style, c.stroke_width(2))?;
        if e.marker {
            marker(area, (PAD + SAMPLE_W / 2, mid), e.style, c.to_rgba())?;
        }
        for (k, l) in wrap(&e.text, TEXT, text_w).iter().enumerate() {
            let at = (2 * PAD + SAMPLE_W, y + k as i32 * LINE_H);
            area.draw(&Text::new(l.clone(), at, font.clone()))
                .map_err(err)?;
            y += if k > 0 { LINE_H } else { 0 };
        }
        y += LINE_H + 6;
    }
    y += PAD;
    let note_font = (FONT, NOTE).into_font().color(&RGBColor(80, 80, 80));
    for n in notes {
        for l in wrap(n, NOTE, w.saturating_sub(2 * PAD as u32)) {
            area.draw(&Text::new(l, (PAD, y), note_font.clone()))
                .map_err(err)?;
            y += LINE_H - 2;
        }
        y += 6;
    }
    Ok(())
}
