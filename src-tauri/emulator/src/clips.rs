//! The real H.264 MP4 clips the emulator serves: made once per pixel size with ffmpeg, cached
//! on disk, optionally padded to a given byte size.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::AsyncWriteExt;
use tokio::sync::OnceCell;

/// Why a clip could not be made. Shown in the emulator's 500 answer and on stderr.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClipError {
    #[error("the emulator needs ffmpeg to make its videos, and `{0}` was not found: install ffmpeg (apt-get install ffmpeg)")]
    FfmpegMissing(String),
    #[error("ffmpeg could not make a {width}×{height} clip: {stderr}")]
    FfmpegFailed {
        width: u32,
        height: u32,
        stderr: String,
    },
    #[error("the clip cache at {path} is unusable: {reason}")]
    Cache { path: String, reason: String },
}

/// A finished clip on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipFile {
    pub path: PathBuf,
    pub len: u64,
}

type Cell = Arc<OnceCell<ClipFile>>;

/// Clips by pixel size, made at most once per emulator even when asked for concurrently.
#[derive(Debug)]
pub(crate) struct Clips {
    dir: PathBuf,
    ffmpeg: PathBuf,
    pad_to: Option<u64>,
    cells: Mutex<HashMap<(u32, u32), Cell>>,
}

impl Clips {
    pub(crate) fn new(dir: PathBuf, ffmpeg: PathBuf, pad_to: Option<u64>) -> Self {
        Self {
            dir,
            ffmpeg,
            pad_to,
            cells: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) async fn get(&self, width: u32, height: u32) -> Result<ClipFile, ClipError> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            cells.entry((width, height)).or_default().clone()
        };
        let clip = cell
            .get_or_try_init(|| async {
                let clip = self.make(width, height).await?;
                match self.pad_to {
                    Some(target) => pad(&clip, target).await,
                    None => Ok(clip),
                }
            })
            .await;
        if let Err(error) = &clip {
            eprintln!("hailuo-emulator: {error}");
        }
        clip.cloned()
    }

    async fn make(&self, width: u32, height: u32) -> Result<ClipFile, ClipError> {
        let path = self.dir.join(format!("testsrc-{width}x{height}-1s.mp4"));
        if let Ok(meta) = tokio::fs::metadata(&path).await {
            if meta.len() > 0 {
                return Ok(ClipFile {
                    path,
                    len: meta.len(),
                });
            }
        }
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| cache_error(&self.dir, e))?;
        // A unique temporary name, renamed into place, so concurrent runs never see half a file.
        let partial = self.dir.join(format!(
            "testsrc-{width}x{height}-1s.{}.{}.part.mp4",
            std::process::id(),
            unique_suffix()
        ));
        let output = tokio::process::Command::new(&self.ffmpeg)
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
            ])
            .arg(format!("testsrc=size={width}x{height}:rate=24"))
            .args([
                "-t",
                "1",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
            ])
            .arg(&partial)
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => ClipError::FfmpegMissing(self.ffmpeg.display().to_string()),
                _ => ClipError::FfmpegFailed {
                    width,
                    height,
                    stderr: e.to_string(),
                },
            })?;
        if !output.status.success() {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(ClipError::FfmpegFailed {
                width,
                height,
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|e| cache_error(&path, e))?;
        let len = tokio::fs::metadata(&path)
            .await
            .map_err(|e| cache_error(&path, e))?
            .len();
        Ok(ClipFile { path, len })
    }
}

/// Copies `clip` and appends a `free` box so the file is exactly `target` bytes and still a
/// valid MP4. The padding is a sparse extension, so even 200 MB costs no disk writes.
async fn pad(clip: &ClipFile, target: u64) -> Result<ClipFile, ClipError> {
    // A 32-bit box size covers up to 4 GiB; larger padding needs the 64-bit `largesize` form.
    let padding = target.saturating_sub(clip.len);
    let header: Vec<u8> = if padding < 8 {
        return Ok(clip.clone());
    } else if let Ok(size) = u32::try_from(padding) {
        [size.to_be_bytes().as_slice(), b"free"].concat()
    } else if padding >= 16 {
        [
            1u32.to_be_bytes().as_slice(),
            b"free",
            &padding.to_be_bytes(),
        ]
        .concat()
    } else {
        return Ok(clip.clone());
    };
    let path = clip
        .path
        .with_file_name(format!("{}-padded-{target}.mp4", stem(&clip.path)));
    if let Ok(meta) = tokio::fs::metadata(&path).await {
        if meta.len() == target {
            return Ok(ClipFile { path, len: target });
        }
    }
    let partial = path.with_extension(format!("{}.{}.part", std::process::id(), unique_suffix()));
    tokio::fs::copy(&clip.path, &partial)
        .await
        .map_err(|e| cache_error(&partial, e))?;
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(&partial)
        .await
        .map_err(|e| cache_error(&partial, e))?;
    file.write_all(&header)
        .await
        .map_err(|e| cache_error(&partial, e))?;
    file.set_len(target)
        .await
        .map_err(|e| cache_error(&partial, e))?;
    file.flush().await.map_err(|e| cache_error(&partial, e))?;
    drop(file);
    tokio::fs::rename(&partial, &path)
        .await
        .map_err(|e| cache_error(&path, e))?;
    Ok(ClipFile { path, len: target })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn cache_error(path: &Path, error: std::io::Error) -> ClipError {
    ClipError::Cache {
        path: path.display().to_string(),
        reason: error.to_string(),
    }
}

/// The pixel size of a generated video: 16:9 for text to video, the first frame's aspect for
/// image to video, with the short side at 768 or 1080 and both sides even.
pub fn output_size(short_side: u32, first_frame: Option<(u32, u32)>) -> (u32, u32) {
    let Some((width, height)) = first_frame.filter(|(w, h)| *w > 0 && *h > 0) else {
        return if short_side >= 1080 {
            (1920, 1080)
        } else {
            (1366, 768)
        };
    };
    let long = |long: u32, short: u32| -> u32 {
        let exact = f64::from(short_side) * f64::from(long) / f64::from(short);
        ((exact / 2.0).round() as u32) * 2
    };
    if width >= height {
        (long(width, height), short_side)
    } else {
        (short_side, long(height, width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_to_video_is_16_by_9_at_the_documented_sizes() {
        assert_eq!(output_size(768, None), (1366, 768));
        assert_eq!(output_size(1080, None), (1920, 1080));
    }

    #[test]
    fn image_to_video_follows_the_first_frame_with_even_sides() {
        assert_eq!(output_size(768, Some((1920, 1080))), (1366, 768));
        assert_eq!(output_size(1080, Some((1000, 1500))), (1080, 1620));
        assert_eq!(output_size(768, Some((500, 500))), (768, 768));
        assert_eq!(output_size(768, Some((401, 1003))), (768, 1920));
        let (w, h) = output_size(768, Some((333, 777)));
        assert_eq!((w % 2, h % 2, w), (0, 0, 768));
    }
}
