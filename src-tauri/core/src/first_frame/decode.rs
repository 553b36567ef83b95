//! Reading a picture safely: size cap before reading, format from the content, limits against decompression bombs, EXIF orientation.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::Serialize;

use super::{FirstFrameError, PictureBytes, PictureSource, MAX_FILE_BYTES};

/// No side may be longer than this (huge renders stay well under it).
pub const MAX_SIDE: u32 = 30_000;
/// The most pixels a picture may have: 150 megapixels is above any camera, and stays within
/// about 600 MB of memory once decoded.
pub const MAX_PIXELS: u64 = 150_000_000;
/// What a decoder may allocate (a 16-bit TIFF needs twice the 8-bit size).
const MAX_DECODE_ALLOC: u64 = 1200 * 1024 * 1024;

/// The picture formats the app reads. Only the first three are sent as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PictureFormat {
    Jpeg,
    Png,
    WebP,
    Gif,
    Bmp,
    Tiff,
}

impl PictureFormat {
    fn from_image(format: ImageFormat) -> Option<PictureFormat> {
        Some(match format {
            ImageFormat::Jpeg => PictureFormat::Jpeg,
            ImageFormat::Png => PictureFormat::Png,
            ImageFormat::WebP => PictureFormat::WebP,
            ImageFormat::Gif => PictureFormat::Gif,
            ImageFormat::Bmp => PictureFormat::Bmp,
            ImageFormat::Tiff => PictureFormat::Tiff,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PictureFormat::Jpeg => "JPEG",
            PictureFormat::Png => "PNG",
            PictureFormat::WebP => "WebP",
            PictureFormat::Gif => "GIF",
            PictureFormat::Bmp => "BMP",
            PictureFormat::Tiff => "TIFF",
        }
    }

    /// JPEG, PNG and WebP are what the providers take (providers.md).
    pub fn is_sendable(self) -> bool {
        matches!(
            self,
            PictureFormat::Jpeg | PictureFormat::Png | PictureFormat::WebP
        )
    }

    pub fn mime(self) -> &'static str {
        match self {
            PictureFormat::Jpeg => "image/jpeg",
            PictureFormat::Png => "image/png",
            PictureFormat::WebP => "image/webp",
            PictureFormat::Gif => "image/gif",
            PictureFormat::Bmp => "image/bmp",
            PictureFormat::Tiff => "image/tiff",
        }
    }
}

impl std::fmt::Display for PictureFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A decoded, upright picture, with the bytes it came from.
pub(super) struct Picture<'a> {
    pub format: PictureFormat,
    pub original: PictureBytes<'a>,
    /// Upright, 8-bit RGB, or RGBA when the picture has an alpha channel.
    pub pixels: DynamicImage,
    pub turned_upright: bool,
    /// Some pixel is not fully opaque.
    pub transparent: bool,
}

/// Reads (files at most 200 MB) and decodes a picture.
pub(super) fn load(source: PictureSource<'_>) -> Result<Picture<'_>, FirstFrameError> {
    let original = match source {
        PictureSource::File(path) => Cow::Owned(read_file(path)?),
        PictureSource::Pasted(bytes) => {
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(FirstFrameError::FileTooLarge {
                    bytes: bytes.len() as u64,
                });
            }
            Cow::Borrowed(bytes)
        }
    };
    decode(original)
}

fn read_file(path: &Path) -> Result<Vec<u8>, FirstFrameError> {
    let unreadable = |source| FirstFrameError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(FirstFrameError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(FirstFrameError::FileTooLarge {
            bytes: metadata.len(),
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // `take` keeps the cap even if the file grows while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FirstFrameError::FileTooLarge {
            bytes: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

fn decode(original: PictureBytes<'_>) -> Result<Picture<'_>, FirstFrameError> {
    let mut reader = ImageReader::new(Cursor::new(original.as_ref()))
        .with_guessed_format()
        .map_err(|_| FirstFrameError::NotAPicture)?;
    let format = match reader.format() {
        None => return Err(FirstFrameError::NotAPicture),
        Some(found) => {
            PictureFormat::from_image(found).ok_or_else(|| FirstFrameError::UnsupportedFormat {
                format: found
                    .extensions_str()
                    .first()
                    .map_or_else(|| format!("{found:?}"), |ext| ext.to_uppercase()),
            })?
        }
    };
    let damaged = |err: image::ImageError| FirstFrameError::Damaged {
        format,
        detail: err.to_string(),
    };
    if format == PictureFormat::Jpeg && !jpeg_is_complete(&original) {
        // The JPEG decoder fills a cut-off photo with grey instead of failing: an interrupted
        // copy or download would otherwise become a video's first frame.
        return Err(FirstFrameError::Damaged {
            format,
            detail: "the file ends before the picture does".to_owned(),
        });
    }
    // Read the header without limits first, so a bomb is refused with its claimed size in the
    // message; the limits set next still guard the decoding itself.
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    let too_many = FirstFrameError::TooManyPixels { width, height };
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    decoder.set_limits(limits).map_err(|err| match err {
        image::ImageError::Limits(_) => FirstFrameError::TooManyPixels { width, height },
        other => damaged(other),
    })?;
    // A broken EXIF block is not worth refusing a picture over: it is shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut pixels = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => FirstFrameError::TooManyPixels { width, height },
        other => damaged(other),
    })?;
    pixels.apply_orientation(orientation);
    let (pixels, transparent) = if pixels.color().has_alpha() {
        let rgba = pixels.into_rgba8();
        let transparent = rgba.pixels().any(|p| p.0[3] < u8::MAX);
        (DynamicImage::ImageRgba8(rgba), transparent)
    } else {
        (DynamicImage::ImageRgb8(pixels.into_rgb8()), false)
    };
    Ok(Picture {
        format,
        original,
        pixels,
        turned_upright: orientation != Orientation::NoTransforms,
        transparent,
    })
}

/// Whether a JPEG's data reaches its end-of-image marker. Segments before the first scan are
/// skipped by their length, so the end marker of an embedded EXIF thumbnail is not mistaken
/// for the picture's own; inside scan data, 0xFF is always escaped, so 0xFF 0xD9 is the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            // Stray bytes between segments: some cameras write them. Fall back to looking for
            // an end marker anywhere after this point.
            return bytes[at..].windows(2).any(|pair| pair == [0xFF, 0xD9]);
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if marker == 0xDA {
            return bytes
                .get(at + 2 + length..)
                .unwrap_or_default()
                .windows(2)
                .any(|pair| pair == [0xFF, 0xD9]);
        }
        at += 2 + length;
    }
    false
}
