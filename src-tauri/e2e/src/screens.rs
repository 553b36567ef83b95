//! Judging a screenshot: a window that is nearly one colour is a blank window, whatever the
//! WebDriver said.

use std::collections::HashMap;
use std::io::Cursor;

/// A blank or broken screen, in words that say what went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScreenProblem {
    #[error("the screenshot is not a readable PNG: {0}")]
    NotAPng(String),
    #[error("the screenshot is only {width}×{height} pixels: the window did not really open")]
    TooSmall { width: u32, height: u32 },
    #[error("the window is blank: {percent:.1}% of it is one colour")]
    NearlyOneColour { percent: f64 },
    #[error("the page shows no text at all (document.body.innerText is empty)")]
    NoText,
    #[error("the page recorded {count} script error(s); the last one: {last}")]
    ScriptErrors { count: u64, last: String },
}

/// What a readable screenshot looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    /// The share (0–100) of pixels in the most common colour, after rounding each channel to 16
    /// levels so that anti-aliasing noise does not hide a blank window.
    pub dominant_colour_percent: f64,
}

/// Above this share of one colour a screen counts as blank. The welcome screen, mostly background,
/// measures well under 95%.
const BLANK_PERCENT: f64 = 99.0;
const MIN_SIDE: u32 = 100;

/// Decodes a PNG and refuses it when it is tiny or nearly one colour.
pub fn judge_screenshot(png_bytes: &[u8]) -> Result<Screenshot, ScreenProblem> {
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|err| ScreenProblem::NotAPng(err.to_string()))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| ScreenProblem::NotAPng("the image is too large".into()))?;
    let mut pixels = vec![0; size];
    let frame = reader
        .next_frame(&mut pixels)
        .map_err(|err| ScreenProblem::NotAPng(err.to_string()))?;
    let (width, height) = (frame.width, frame.height);
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(ScreenProblem::TooSmall { width, height });
    }
    let channels = frame.color_type.samples();
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for pixel in pixels[..frame.buffer_size()].chunks_exact(channels) {
        // Alpha is ignored: a transparent screenshot is as blank as an opaque one.
        let colour = pixel
            .iter()
            .take(if channels >= 3 { 3 } else { 1 })
            .fold(0u32, |acc, &c| (acc << 4) | u32::from(c >> 4));
        *counts.entry(colour).or_default() += 1;
    }
    let total = u64::from(width) * u64::from(height);
    let dominant = counts.values().copied().max().unwrap_or(total);
    // Pixel counts of a screen are far below 2^52: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let percent = dominant as f64 * 100.0 / total as f64;
    if percent > BLANK_PERCENT {
        return Err(ScreenProblem::NearlyOneColour { percent });
    }
    Ok(Screenshot {
        width,
        height,
        dominant_colour_percent: percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32, paint: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let data: Vec<u8> = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .flat_map(|(x, y)| paint(x, y))
            .collect();
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        bytes
    }

    #[test]
    fn a_white_window_is_blank() {
        let shot = png_of(400, 300, |_, _| [255, 255, 255]);
        assert!(matches!(
            judge_screenshot(&shot),
            Err(ScreenProblem::NearlyOneColour { percent }) if percent == 100.0
        ));
    }

    #[test]
    fn a_few_stray_pixels_do_not_make_a_blank_window_look_drawn() {
        // 0.5% of the pixels differ, like a lone cursor or a one-pixel border.
        let shot = png_of(400, 300, |x, y| {
            if x < 2 && y < 300 {
                [0, 0, 0]
            } else {
                [250, 250, 250]
            }
        });
        assert!(matches!(
            judge_screenshot(&shot),
            Err(ScreenProblem::NearlyOneColour { .. })
        ));
    }

    #[test]
    fn a_window_with_drawn_content_passes() {
        // A background with a tenth of it covered by cards and text.
        let shot = png_of(400, 300, |x, y| {
            if (100..140).contains(&y) && x > 20 {
                [30, 60, 200]
            } else {
                [245, 245, 245]
            }
        });
        let judged = judge_screenshot(&shot).unwrap();
        assert_eq!((judged.width, judged.height), (400, 300));
        assert!(judged.dominant_colour_percent < 90.0, "{judged:?}");
    }

    #[test]
    fn a_tiny_image_is_not_a_window() {
        let shot = png_of(40, 30, |x, _| [u8::try_from(x).unwrap(), 0, 0]);
        assert_eq!(
            judge_screenshot(&shot),
            Err(ScreenProblem::TooSmall {
                width: 40,
                height: 30
            })
        );
    }

    #[test]
    fn bytes_that_are_not_a_png_are_refused() {
        assert!(matches!(
            judge_screenshot(b"<html>not a picture</html>"),
            Err(ScreenProblem::NotAPng(_))
        ));
    }
}
