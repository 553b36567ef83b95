//! First-frame pictures: checking a dropped or pasted picture against the providers' rules, offering fixes, and preparing what is sent.
//!
//! `inspect` tells the creator what the picture is, which rules it meets and which fixes are on
//! offer (each with a preview); `prepare` applies the fixes the creator accepted and returns the
//! bytes to send. The original file is only ever read.

mod decode;
mod reshape;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::generation::FirstFrame;
use crate::provider::Provider;

pub use decode::PictureFormat;

/// Files larger than this are refused before being read (a first frame never needs it, and a
/// whole read of a huge file would stall the app).
pub const MAX_FILE_BYTES: u64 = 200 * 1_000_000;
/// The providers' limit for the picture that is sent: "under 20 MB" (providers.md), read as
/// decimal megabytes, the stricter reading.
pub const MAX_SEND_BYTES: usize = 20 * 1_000_000;
/// The short side must be over this many pixels.
pub const MIN_SHORT_SIDE: u32 = 300;
/// Upscaling goes a little past the minimum so rounding can never land on the limit.
pub const UPSCALED_SHORT_SIDE: u32 = 320;
/// Widest allowed shape, 5:2, as a width/height ratio; the tallest is its inverse, 2:5.
pub const MAX_ASPECT: f64 = 2.5;
pub const MIN_ASPECT: f64 = 0.4;
/// OpenRouter refuses request bodies over 50 MiB with a 413 (providers.md).
pub const OPENROUTER_MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

// The largest picture we ever send, as a base64 data URL, leaves OpenRouter's body room to spare
// for the prompt and the other fields.
const _: () = assert!((MAX_SEND_BYTES / 3 + 1) * 4 + 64 * 1024 < OPENROUTER_MAX_BODY_BYTES);

/// Where a first frame comes from: a file the creator dropped or picked, or pasted bytes.
#[derive(Debug, Clone, Copy)]
pub enum PictureSource<'a> {
    File(&'a Path),
    Pasted(&'a [u8]),
}

/// Why a picture cannot be used, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum FirstFrameError {
    #[error("The picture at {path} could not be opened: {source}.")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a file. Choose a picture file.")]
    NotAFile { path: PathBuf },
    #[error("This file is {}. Pictures over 200 MB are not opened; export a smaller copy of it.", file_size(*.bytes))]
    FileTooLarge { bytes: u64 },
    #[error("This file is not a picture the app can read. Use a JPEG, PNG, WebP, GIF, BMP or TIFF picture.")]
    NotAPicture,
    #[error(
        "{format} pictures are not supported. Use a JPEG, PNG, WebP, GIF, BMP or TIFF picture."
    )]
    UnsupportedFormat { format: String },
    #[error("This {format} file is damaged or incomplete and cannot be opened ({detail}).")]
    Damaged {
        format: PictureFormat,
        detail: String,
    },
    #[error("This picture says it is {width}×{height} pixels, too large to open safely (the limit is {} megapixels). Use a smaller copy.", decode::MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error("{verdict} Accept the “{}” fix, or choose another picture.", .fix.title())]
    FixNeeded {
        rule: Rule,
        fix: Fix,
        verdict: String,
    },
    #[error("Even made smaller, this picture stays over the 20 MB limit. Use a simpler or smaller picture.")]
    StillTooHeavy,
    #[error("The prepared picture could not be made: {0}.")]
    Processing(String),
    #[error("The prepared picture could not be saved in {path}: {source}.")]
    Save {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "Saving the prepared picture there would replace the original picture; it was not saved."
    )]
    WouldReplaceOriginal,
}

/// A provider rule for first frames (providers.md, "Rules common to all three").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// JPEG, PNG or WebP; other readable formats are converted.
    Format,
    /// Under 20 MB.
    FileSize,
    /// Short side over 300 px.
    ShortSide,
    /// Between 2:5 and 5:2.
    Shape,
}

/// A change the app can make to the picture, only with the creator's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fix {
    /// Re-encode, and make smaller if needed, to get under 20 MB.
    Downscale,
    /// Cut the long side to the nearest allowed shape (5:2 or 2:5), keeping the centre.
    Crop,
    /// Add black bars to reach the nearest allowed shape, keeping the whole picture.
    Pad,
    /// Enlarge a small picture so its short side is over 300 px.
    Upscale,
}

impl Fix {
    pub fn title(self) -> &'static str {
        match self {
            Fix::Downscale => "Make it lighter",
            Fix::Crop => "Crop to an allowed shape",
            Fix::Pad => "Add bars to an allowed shape",
            Fix::Upscale => "Enlarge it",
        }
    }
}

/// The shape of the video a first frame gives: image-to-video follows the picture's aspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VideoShape {
    Landscape,
    Portrait,
    Square,
}

impl VideoShape {
    /// Within 2% of square reads as square to the eye.
    pub fn of(width: u32, height: u32) -> VideoShape {
        let ratio = f64::from(width) / f64::from(height.max(1));
        if (ratio - 1.0).abs() <= 0.02 {
            VideoShape::Square
        } else if ratio > 1.0 {
            VideoShape::Landscape
        } else {
            VideoShape::Portrait
        }
    }

    pub fn sentence(self) -> &'static str {
        match self {
            VideoShape::Landscape => "The video will be landscape (wider than tall).",
            VideoShape::Portrait => "The video will be portrait (taller than wide).",
            VideoShape::Square => "The video will be square.",
        }
    }
}

/// One rule and how the picture fares against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCheck {
    pub rule: Rule,
    pub passed: bool,
    pub verdict: String,
}

/// A fix on offer, with what it would produce.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixOffer {
    pub fix: Fix,
    pub title: &'static str,
    pub explanation: String,
    /// Said before the creator accepts, e.g. that enlarging cannot add detail.
    pub warning: Option<String>,
    pub width: u32,
    pub height: u32,
    /// Size of the picture that would be sent, in bytes.
    pub bytes: usize,
    pub shape: VideoShape,
    /// A small JPEG of the result, as a `data:` URL for the UI.
    pub preview: String,
}

/// Whether a provider takes the picture itself, and if not why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSupport {
    pub provider: Provider,
    /// False: the creator must give an https link to the picture instead.
    pub accepts_picture: bool,
    pub note: &'static str,
}

/// Everything the creator is told about a picture before choosing it as a first frame.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstFrameReport {
    /// The format found in the content (the file name's extension is ignored).
    pub format: PictureFormat,
    /// Size after the camera's orientation is applied.
    pub width: u32,
    pub height: u32,
    pub file_bytes: u64,
    /// True when the camera recorded the photo sideways or upside down and it was turned upright.
    pub turned_upright: bool,
    /// The type the picture is sent as when no fix is needed (`image/jpeg`, ...).
    pub sent_as: &'static str,
    pub shape: VideoShape,
    pub shape_sentence: &'static str,
    pub rules: Vec<RuleCheck>,
    pub fixes: Vec<FixOffer>,
    /// True when every rule passes as it is.
    pub ready: bool,
    /// A small upright JPEG of the picture, as a `data:` URL.
    pub preview: String,
    pub providers: Vec<ProviderSupport>,
}

/// The picture ready to send, with the fixes applied.
#[derive(Clone)]
pub struct PreparedFirstFrame {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub shape: VideoShape,
    pub fixes_applied: Vec<Fix>,
    original_path: Option<PathBuf>,
}

impl std::fmt::Debug for PreparedFirstFrame {
    // The bytes would flood logs; their count is what matters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedFirstFrame")
            .field("mime", &self.mime)
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("fixes_applied", &self.fixes_applied)
            .finish()
    }
}

impl PreparedFirstFrame {
    /// The `data:image/...;base64,...` URL MiniMax and OpenRouter take.
    pub fn data_url(&self) -> String {
        data_url(self.mime, &self.bytes)
    }

    /// The file extension matching the type.
    pub fn extension(&self) -> &'static str {
        match self.mime {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        }
    }

    /// The first frame of a generation request.
    pub fn into_first_frame(self) -> FirstFrame {
        FirstFrame::Picture {
            mime: self.mime.to_owned(),
            bytes: self.bytes,
        }
    }

    /// Keeps the prepared picture with its generation as `first-frame.<ext>` in `dir`, written
    /// whole or not at all. Returns the file's path.
    pub fn save_into(&self, dir: &Path) -> Result<PathBuf, FirstFrameError> {
        let save_err = |source| FirstFrameError::Save {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(save_err)?;
        let target = dir.join(format!("first-frame.{}", self.extension()));
        if let (Some(original), Ok(existing)) = (&self.original_path, target.canonicalize()) {
            if original.canonicalize().is_ok_and(|o| o == existing) {
                return Err(FirstFrameError::WouldReplaceOriginal);
            }
        }
        let partial = dir.join(format!("first-frame.{}.part", self.extension()));
        std::fs::write(&partial, &self.bytes).map_err(save_err)?;
        std::fs::rename(&partial, &target).map_err(save_err)?;
        Ok(target)
    }
}

/// Reads and checks a picture, and prepares every fix it needs so the creator can choose.
pub fn inspect(source: PictureSource<'_>) -> Result<FirstFrameReport, FirstFrameError> {
    let picture = decode::load(source)?;
    let as_is = reshape::render(&picture, &[])?;
    let (width, height) = (picture.pixels.width(), picture.pixels.height());

    let rules = vec![
        format_check(&picture, as_is.mime),
        weight_check(as_is.bytes.len()),
        short_side_check(width, height),
        shape_check(width, height),
    ];
    let wanted: Vec<Fix> = rules
        .iter()
        .filter(|c| !c.passed)
        .flat_map(|c| fixes_for(c.rule).iter().copied())
        .collect();
    // Each offer is a full-size render and encode, so its size is exact: run them side by side.
    let offers = std::thread::scope(|scope| {
        let running: Vec<_> = wanted
            .iter()
            .map(|&fix| {
                let picture = &picture;
                scope.spawn(move || offer(picture, fix))
            })
            .collect();
        running
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(FirstFrameError::Processing(
                        "preparing a fix stopped unexpectedly".to_owned(),
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let offers: Vec<FixOffer> = offers.into_iter().flatten().collect();
    let shape = VideoShape::of(width, height);
    Ok(FirstFrameReport {
        format: picture.format,
        width,
        height,
        file_bytes: picture.original.len() as u64,
        turned_upright: picture.turned_upright,
        sent_as: as_is.mime,
        shape,
        shape_sentence: shape.sentence(),
        ready: rules.iter().all(|c| c.passed),
        rules,
        fixes: offers,
        preview: reshape::preview(&as_is.pixels)?,
        providers: Provider::ALL.into_iter().map(provider_support).collect(),
    })
}

/// Applies the accepted fixes and returns the picture to send. Fails with the rule still
/// broken and the fix that would mend it when the creator has not accepted that fix.
pub fn prepare(
    source: PictureSource<'_>,
    accepted: &[Fix],
) -> Result<PreparedFirstFrame, FirstFrameError> {
    let picture = decode::load(source)?;
    let rendered = reshape::render(&picture, accepted)?;
    let (width, height) = (rendered.pixels.width(), rendered.pixels.height());
    for check in [
        weight_check(rendered.bytes.len()),
        shape_check(width, height),
        short_side_check(width, height),
    ] {
        if !check.passed {
            if check.rule == Rule::FileSize && accepted.contains(&Fix::Downscale) {
                return Err(FirstFrameError::StillTooHeavy);
            }
            return Err(FirstFrameError::FixNeeded {
                rule: check.rule,
                fix: fixes_for(check.rule)[0],
                verdict: check.verdict,
            });
        }
    }
    Ok(PreparedFirstFrame {
        bytes: rendered.bytes.into_owned(),
        mime: rendered.mime,
        width,
        height,
        shape: VideoShape::of(width, height),
        fixes_applied: rendered.applied,
        original_path: match source {
            PictureSource::File(path) => Some(path.to_path_buf()),
            PictureSource::Pasted(_) => None,
        },
    })
}

/// How each provider takes a first frame (providers.md, "first frame").
pub fn provider_support(provider: Provider) -> ProviderSupport {
    let note = match provider {
        Provider::MinimaxGlobal | Provider::MinimaxChina => {
            "MiniMax receives the picture itself, inside the request."
        }
        Provider::OpenRouter => {
            "OpenRouter receives the picture itself, inside the request (up to 50 MB in all)."
        }
        Provider::LinkModel => {
            "LinkModel only documents first frames given as a link to a picture on the web, and \
             offers no way to upload one. Put the picture online and paste its https:// link, \
             or choose MiniMax or OpenRouter to send this picture directly."
        }
    };
    ProviderSupport {
        provider,
        accepts_picture: provider.accepts_first_frame_bytes(),
        note,
    }
}

fn fixes_for(rule: Rule) -> &'static [Fix] {
    match rule {
        Rule::Format => &[],
        Rule::FileSize => &[Fix::Downscale],
        Rule::ShortSide => &[Fix::Upscale],
        Rule::Shape => &[Fix::Crop, Fix::Pad],
    }
}

/// What accepting `fix` alone would make of the picture; `None` when it would change
/// nothing (padding or enlarging that would go past the pixel limit is not done).
fn offer(picture: &decode::Picture<'_>, fix: Fix) -> Result<Option<FixOffer>, FirstFrameError> {
    let mut result = reshape::render(picture, &[fix])?;
    let shaped_first = fix == Fix::Upscale && !result.applied.contains(&fix);
    if shaped_first {
        // Too thin to enlarge as it is (it would pass the pixel limit): shown as it would be
        // once cut to shape, which prepare does first when both fixes are accepted.
        result = reshape::render(picture, &[Fix::Crop, Fix::Upscale])?;
    }
    if matches!(fix, Fix::Crop | Fix::Pad | Fix::Upscale) && !result.applied.contains(&fix) {
        return Ok(None);
    }
    let (width, height) = (result.pixels.width(), result.pixels.height());
    let (from_w, from_h) = (picture.pixels.width(), picture.pixels.height());
    let explanation = match fix {
        Fix::Downscale if (width, height) == (from_w, from_h) => format!(
            "Save it again as {} at {}, same size in pixels.",
            mime_name(result.mime),
            file_size(result.bytes.len() as u64)
        ),
        Fix::Downscale => format!(
            "Make it {width}×{height} pixels and save it as {} at {}.",
            mime_name(result.mime),
            file_size(result.bytes.len() as u64)
        ),
        Fix::Crop => {
            format!("Cut the edges to {width}×{height} pixels, keeping the centre of the picture.")
        }
        Fix::Pad => {
            format!("Add black bars to make it {width}×{height} pixels, keeping the whole picture.")
        }
        Fix::Upscale if shaped_first => {
            format!("Once its shape is fixed, enlarge it to {width}×{height} pixels.")
        }
        Fix::Upscale => format!("Enlarge it from {from_w}×{from_h} to {width}×{height} pixels."),
    };
    let warning = match fix {
        Fix::Upscale => Some(
            "Enlarging cannot add detail: the video may look soft or blurry. A larger original \
             gives a better video."
                .to_owned(),
        ),
        Fix::Crop => Some("The cut edges will not be in the video.".to_owned()),
        _ => None,
    };
    Ok(Some(FixOffer {
        fix,
        title: fix.title(),
        explanation,
        warning,
        width,
        height,
        bytes: result.bytes.len(),
        shape: VideoShape::of(width, height),
        preview: reshape::preview(&result.pixels)?,
    }))
}

fn format_check(picture: &decode::Picture<'_>, sent_as: &'static str) -> RuleCheck {
    let name = picture.format.name();
    let verdict = if picture.format.is_sendable() {
        format!("{name} pictures are accepted.")
    } else {
        format!(
            "{name} pictures are not accepted by the video services; it will be sent as {} (the original file is not changed).",
            mime_name(sent_as)
        )
    };
    RuleCheck {
        rule: Rule::Format,
        passed: true,
        verdict,
    }
}

fn weight_check(bytes: usize) -> RuleCheck {
    let size = file_size(bytes as u64);
    let passed = bytes < MAX_SEND_BYTES;
    RuleCheck {
        rule: Rule::FileSize,
        passed,
        verdict: if passed {
            format!("{size}, under the 20 MB limit.")
        } else {
            format!("{size} is over the 20 MB limit of the video services.")
        },
    }
}

fn short_side_check(width: u32, height: u32) -> RuleCheck {
    let short = width.min(height);
    let passed = short > MIN_SHORT_SIDE;
    RuleCheck {
        rule: Rule::ShortSide,
        passed,
        verdict: if passed {
            format!("The short side is {short} px, over the 300 px minimum.")
        } else {
            format!("The short side is only {short} px; the video services need more than 300 px.")
        },
    }
}

fn shape_check(width: u32, height: u32) -> RuleCheck {
    let ratio = f64::from(width) / f64::from(height.max(1));
    let (passed, verdict) = if ratio > MAX_ASPECT {
        (false, format!("At {width}×{height} the picture is {ratio:.2} times wider than tall; the widest allowed is 5:2 (2.5 times)."))
    } else if ratio < MIN_ASPECT {
        let tall = 1.0 / ratio;
        (false, format!("At {width}×{height} the picture is {tall:.2} times taller than wide; the tallest allowed is 2:5 (2.5 times)."))
    } else {
        (
            true,
            format!("{width}×{height} is within the allowed shapes, from 2:5 to 5:2."),
        )
    };
    RuleCheck {
        rule: Rule::Shape,
        passed,
        verdict,
    }
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:{mime};base64,{encoded}")
}

fn mime_name(mime: &str) -> &'static str {
    match mime {
        "image/png" => "PNG",
        "image/webp" => "WebP",
        _ => "JPEG",
    }
}

/// A file's size as file managers show it: decimal megabytes, small files in kilobytes (a tiny
/// picture is "12 KB", not "0.0 MB"). The UI's `megabytes()` says sizes the same way.
fn file_size(bytes: u64) -> String {
    if bytes < 100_000 {
        format!("{} KB", (bytes as f64 / 1000.0).round().max(1.0))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// Borrowed or owned picture bytes: pasted bytes are borrowed, files are read into memory.
pub(crate) type PictureBytes<'a> = Cow<'a, [u8]>;
