//! Applying fixes to the pixels (crop, pad, upscale, downscale) and encoding what is sent and previewed.

use std::borrow::Cow;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::{self, PngEncoder};
use image::{DynamicImage, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

use super::decode::{Picture, PictureFormat, MAX_PIXELS, MAX_SIDE};
use super::{
    data_url, FirstFrameError, Fix, MAX_ASPECT, MAX_SEND_BYTES, MIN_ASPECT, MIN_SHORT_SIDE,
    UPSCALED_SHORT_SIDE,
};

/// Quality of re-encoded JPEGs: visually lossless for photos at a fraction of PNG's size.
const JPEG_QUALITY: u8 = 90;
const PREVIEW_LONG_SIDE: u32 = 320;
const PREVIEW_QUALITY: u8 = 75;
/// Each downscale round aims this far under the limit, so one round is usually enough.
const DOWNSCALE_MARGIN: f64 = 0.85;
const MAX_DOWNSCALE_ROUNDS: usize = 6;

/// What a picture becomes with some fixes applied.
pub(super) struct Rendered<'p> {
    pub pixels: Cow<'p, DynamicImage>,
    pub bytes: Cow<'p, [u8]>,
    pub mime: &'static str,
    /// The fixes that changed something, in the order applied.
    pub applied: Vec<Fix>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Jpeg,
    Png,
}

impl Encoding {
    fn mime(self) -> &'static str {
        match self {
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
        }
    }
}

/// Applies the accepted fixes that the picture needs, in a fixed order (shape, then size,
/// then weight), and encodes the result. An untouched JPEG, PNG or WebP is sent as it is.
pub(super) fn render<'p>(
    picture: &'p Picture<'_>,
    accepted: &[Fix],
) -> Result<Rendered<'p>, FirstFrameError> {
    let mut pixels = Cow::Borrowed(&picture.pixels);
    let mut applied = Vec::new();

    let ratio = aspect(&pixels);
    if !(MIN_ASPECT..=MAX_ASPECT).contains(&ratio) {
        if accepted.contains(&Fix::Crop) {
            pixels = Cow::Owned(crop_to_allowed(&pixels));
            applied.push(Fix::Crop);
        } else if accepted.contains(&Fix::Pad) && fits(padded_size(&pixels)) {
            pixels = Cow::Owned(pad_to_allowed(&pixels));
            applied.push(Fix::Pad);
        }
    }
    let short = pixels.width().min(pixels.height());
    if short <= MIN_SHORT_SIDE && accepted.contains(&Fix::Upscale) {
        let scale = f64::from(UPSCALED_SHORT_SIDE) / f64::from(short.max(1));
        let (w, h) = scaled(&pixels, scale);
        // A strip 1 pixel high would become millions of pixels long: only once its shape is
        // fixed does enlarging it stay a picture the app could have opened.
        if fits((w, h)) {
            pixels = Cow::Owned(resize(&pixels, w, h)?);
            applied.push(Fix::Upscale);
        }
    }

    let lighten = accepted.contains(&Fix::Downscale);
    let untouched = applied.is_empty() && !picture.turned_upright;
    if untouched
        && picture.format.is_sendable()
        && !(lighten && picture.original.len() >= MAX_SEND_BYTES)
    {
        return Ok(Rendered {
            pixels,
            bytes: Cow::Borrowed(picture.original.as_ref()),
            mime: picture.format.mime(),
            applied,
        });
    }

    let mut encoding = encoding_for(picture.format, picture.transparent);
    let mut bytes = encode(&pixels, encoding)?;
    if bytes.len() >= MAX_SEND_BYTES && lighten {
        applied.push(Fix::Downscale);
        // An opaque PNG is far lighter as a JPEG, at the same size in pixels.
        if encoding == Encoding::Png && !picture.transparent {
            encoding = Encoding::Jpeg;
            bytes = encode(&pixels, encoding)?;
        }
        let full = pixels.clone();
        let mut scale = 1.0;
        for _ in 0..MAX_DOWNSCALE_ROUNDS {
            if bytes.len() < MAX_SEND_BYTES {
                break;
            }
            // Bytes grow roughly with the pixel count, so scale the sides by the square root.
            scale *= (MAX_SEND_BYTES as f64 * DOWNSCALE_MARGIN / bytes.len() as f64).sqrt();
            let (w, h) = scaled(&full, scale);
            if w.min(h) <= MIN_SHORT_SIDE {
                break;
            }
            pixels = Cow::Owned(resize(&full, w, h)?);
            bytes = encode(&pixels, encoding)?;
        }
    }
    Ok(Rendered {
        pixels,
        bytes: Cow::Owned(bytes),
        mime: encoding.mime(),
        applied,
    })
}

/// A small JPEG of the pixels, as a `data:` URL; transparency is shown over white.
pub(super) fn preview(pixels: &DynamicImage) -> Result<String, FirstFrameError> {
    let long = pixels.width().max(pixels.height());
    let small = if long > PREVIEW_LONG_SIDE {
        let (w, h) = scaled(pixels, f64::from(PREVIEW_LONG_SIDE) / f64::from(long));
        Cow::Owned(resize(pixels, w, h)?)
    } else {
        Cow::Borrowed(pixels)
    };
    let opaque = match small.as_ref() {
        DynamicImage::ImageRgba8(rgba) => over_white(rgba),
        other => other.to_rgb8(),
    };
    let out = encode_jpeg(&opaque, PREVIEW_QUALITY)?;
    Ok(data_url("image/jpeg", &out))
}

/// PNG keeps transparency, and stays PNG when it came as PNG (screenshots stay sharp);
/// everything else becomes JPEG.
fn encoding_for(format: PictureFormat, transparent: bool) -> Encoding {
    if transparent || format == PictureFormat::Png {
        Encoding::Png
    } else {
        Encoding::Jpeg
    }
}

fn encode(pixels: &DynamicImage, encoding: Encoding) -> Result<Vec<u8>, FirstFrameError> {
    let mut out = Vec::new();
    match encoding {
        Encoding::Jpeg => {
            let rgb = match pixels {
                DynamicImage::ImageRgb8(rgb) => Cow::Borrowed(rgb),
                other => Cow::Owned(other.to_rgb8()),
            };
            out = encode_jpeg(&rgb, JPEG_QUALITY)?;
        }
        Encoding::Png => {
            PngEncoder::new_with_quality(
                &mut out,
                png::CompressionType::Fast,
                png::FilterType::Adaptive,
            )
            .write_image(
                pixels.as_bytes(),
                pixels.width(),
                pixels.height(),
                pixels.color().into(),
            )
            .map_err(processing)?;
        }
    }
    Ok(out)
}

/// JPEG through `jpeg-encoder`: its SIMD path is several times faster than `image`'s encoder,
/// which matters for turning a 24-megapixel phone photo upright. 4:2:0 chroma, as cameras do.
fn encode_jpeg(rgb: &RgbImage, quality: u8) -> Result<Vec<u8>, FirstFrameError> {
    let (Ok(width), Ok(height)) = (u16::try_from(rgb.width()), u16::try_from(rgb.height())) else {
        return Err(processing(
            "a JPEG cannot be wider or taller than 65535 pixels",
        ));
    };
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(processing)?;
    Ok(out)
}

fn aspect(pixels: &DynamicImage) -> f64 {
    f64::from(pixels.width()) / f64::from(pixels.height().max(1))
}

/// Cuts the long side, centred, to the nearest allowed shape. Rounding down keeps the result
/// inside the limit.
fn crop_to_allowed(pixels: &DynamicImage) -> DynamicImage {
    let (w, h) = (pixels.width(), pixels.height());
    if aspect(pixels) > MAX_ASPECT {
        let new_w = (u64::from(h) * 5 / 2) as u32;
        pixels.crop_imm((w - new_w) / 2, 0, new_w, h)
    } else {
        let new_h = (u64::from(w) * 5 / 2) as u32;
        pixels.crop_imm(0, (h - new_h) / 2, w, new_h)
    }
}

/// Whether a fixed picture stays within what the app opens at all (decode's limits): a fix
/// must never make one far larger than any the creator could have chosen.
fn fits((width, height): (u32, u32)) -> bool {
    width <= MAX_SIDE && height <= MAX_SIDE && u64::from(width) * u64::from(height) <= MAX_PIXELS
}

/// The size `pad_to_allowed` makes. Rounding up keeps the result inside the limit.
fn padded_size(pixels: &DynamicImage) -> (u32, u32) {
    let (w, h) = (pixels.width(), pixels.height());
    if aspect(pixels) > MAX_ASPECT {
        (w, (u64::from(w) * 2).div_ceil(5) as u32)
    } else {
        ((u64::from(h) * 2).div_ceil(5) as u32, h)
    }
}

/// Adds black bars on the short side, centred, to the nearest allowed shape.
fn pad_to_allowed(pixels: &DynamicImage) -> DynamicImage {
    let (w, h) = (pixels.width(), pixels.height());
    let (new_w, new_h) = padded_size(pixels);
    let (x, y) = (i64::from((new_w - w) / 2), i64::from((new_h - h) / 2));
    match pixels {
        DynamicImage::ImageRgba8(rgba) => {
            let mut canvas = RgbaImage::from_pixel(new_w, new_h, Rgba([0, 0, 0, 255]));
            image::imageops::overlay(&mut canvas, rgba, x, y);
            DynamicImage::ImageRgba8(canvas)
        }
        other => {
            let mut canvas = RgbImage::from_pixel(new_w, new_h, Rgb([0, 0, 0]));
            image::imageops::overlay(&mut canvas, &other.to_rgb8(), x, y);
            DynamicImage::ImageRgb8(canvas)
        }
    }
}

fn scaled(pixels: &DynamicImage, scale: f64) -> (u32, u32) {
    let side = |s: u32| ((f64::from(s) * scale).round() as u32).max(1);
    (side(pixels.width()), side(pixels.height()))
}

/// A SIMD resize: bilinear when shrinking (fast, and fine at these ratios), Catmull-Rom when
/// enlarging (sharper).
fn resize(pixels: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, FirstFrameError> {
    let filter = if width > pixels.width() {
        FilterType::CatmullRom
    } else {
        FilterType::Bilinear
    };
    let mut out = DynamicImage::new(width, height, pixels.color());
    Resizer::new()
        .resize(
            pixels,
            &mut out,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter)),
        )
        .map_err(processing)?;
    Ok(out)
}

fn over_white(rgba: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([blend(r), blend(g), blend(b)])
    })
}

fn processing(err: impl std::fmt::Display) -> FirstFrameError {
    FirstFrameError::Processing(err.to_string())
}
