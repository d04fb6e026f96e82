//! The report's figures, each drawn once per backend so the SVG and the
//! PNG show the same picture.

pub mod alphas;
pub mod central;
pub mod perfect_init;
pub mod slices;

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// DejaVu Sans (Bitstream Vera license, assets/fonts): embedded so text
/// renders the same on machines without system fonts.
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub const FAMILY: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            // A font that fails to parse would be a build defect; plotters
            // then falls back to drawing no text rather than failing.
            let _ = plotters::style::register_font(FAMILY, style, FONT);
        }
    });
}

pub trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// Writes `stem.svg` and `stem.png` at `size` pixels.
pub fn save(fig: &impl Figure, stem: &Path, size: (u32, u32)) -> anyhow::Result<[PathBuf; 2]> {
    register_font();
    let svg = stem.with_extension("svg");
    let png = stem.with_extension("png");
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()
            .map_err(|e| anyhow!("{}: {e}", svg.display()))?;
    }
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()
            .map_err(|e| anyhow!("{}: {e}", png.display()))?;
    }
    Ok([svg, png])
}

/// Colour of a sweep model, stable across figures.
pub fn model_colour(model: &str) -> RGBColor {
    match model {
        "relu" => RGBColor(31, 119, 180),
        "relu-deep" => RGBColor(44, 160, 44),
        "quad" => RGBColor(214, 39, 40),
        _ => RGBColor(148, 103, 189),
    }
}
