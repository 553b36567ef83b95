//! Still pictures of a generation's video (its poster and its last frame), and copies of the video.
//!
//! There is no video decoder at run time on a creator's machine: the webview draws a frame of
//! the video from the media server onto a canvas and hands over the JPEG. The library checks it
//! really is a JPEG of a sane size before it lands in the generation's folder.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{disk, write_durably, GenerationId, Library, LibraryError, POSTER_FILE, VIDEO_FILE};

/// The picture of a video's last frame, kept so the next clip can start where this one ends.
pub const LAST_FRAME_FILE: &str = "last-frame.jpg";

/// Stills bigger than this are not a frame of a Hailuo video (1080P JPEGs are well under 2 MB).
pub const MAX_STILL_BYTES: usize = 20 * 1024 * 1024;
/// Hailuo makes 1920×1080 at most; anything wider is not one of its frames.
const MAX_STILL_SIDE: u32 = 4096;

/// Which still of the video a picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Still {
    /// What the library shows before the video plays.
    Poster,
    /// The video's very last frame, offered as the next clip's first frame.
    LastFrame,
}

impl Still {
    pub fn file_name(self) -> &'static str {
        match self {
            Still::Poster => POSTER_FILE,
            Still::LastFrame => LAST_FRAME_FILE,
        }
    }
}

/// Why a still was refused, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StillProblem {
    #[error("nothing was received")]
    Empty,
    #[error("the picture is {bytes} bytes, more than a video frame can be")]
    TooLarge { bytes: usize },
    #[error("it is not a JPEG picture")]
    NotAJpeg,
    #[error("the picture is {width}×{height} pixels, which is not the size of a video frame")]
    OddSize { width: u32, height: u32 },
}

/// Checks that `bytes` are a JPEG of a size a video frame can have; answers its width and height.
pub fn check_still(bytes: &[u8]) -> Result<(u32, u32), StillProblem> {
    if bytes.is_empty() {
        return Err(StillProblem::Empty);
    }
    if bytes.len() > MAX_STILL_BYTES {
        return Err(StillProblem::TooLarge { bytes: bytes.len() });
    }
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| StillProblem::NotAJpeg)?;
    if reader.format() != Some(image::ImageFormat::Jpeg) {
        return Err(StillProblem::NotAJpeg);
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| StillProblem::NotAJpeg)?;
    if width == 0 || height == 0 || width > MAX_STILL_SIDE || height > MAX_STILL_SIDE {
        return Err(StillProblem::OddSize { width, height });
    }
    Ok((width, height))
}

impl Library {
    /// Saves a still of the generation's video in its folder (atomically: a reader never sees
    /// half a picture) and answers where. The record is not rewritten: a scan finds the file.
    pub fn save_still(
        &self,
        id: &GenerationId,
        still: Still,
        jpeg: &[u8],
    ) -> Result<PathBuf, LibraryError> {
        check_still(jpeg).map_err(|problem| LibraryError::BadStill { still, problem })?;
        let folder = self.folder_or_find(id)?;
        let path = folder.join(still.file_name());
        write_durably(&path, jpeg).map_err(disk("save a picture in", &folder))?;
        Ok(path)
    }

    /// The generation's video file, if it is in its folder.
    pub fn video_of(&self, id: &GenerationId) -> Result<PathBuf, LibraryError> {
        let generation = self.load(id)?;
        let name = generation
            .video
            .as_ref()
            .map_or(VIDEO_FILE, |v| v.file_name.as_str());
        self.media_file(id, name)
            .ok_or_else(|| LibraryError::NoVideo { id: id.clone() })
    }

    /// Copies the generation's video to `destination` (through a temp file beside it, so a
    /// failed copy never leaves half a video under the creator's chosen name). Answers the
    /// number of bytes copied.
    pub fn copy_video_to(
        &self,
        id: &GenerationId,
        destination: &Path,
    ) -> Result<u64, LibraryError> {
        let source = self.video_of(id)?;
        let dir = destination
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(super::TEMP_PREFIX)
            .suffix(".mp4")
            .tempfile_in(dir)
            .map_err(disk("write a file in", dir))?;
        let copied = std::io::copy(
            &mut std::fs::File::open(&source).map_err(disk("read", &source))?,
            temp.as_file_mut(),
        )
        .map_err(disk("write", destination))?;
        temp.as_file()
            .sync_all()
            .map_err(disk("write", destination))?;
        temp.persist(destination)
            .map_err(|err| disk("write", destination)(err.error))?;
        Ok(copied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(width, height, image::Rgb([200, 80, 40]))
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
            .unwrap();
        bytes
    }

    #[test]
    fn a_video_frame_sized_jpeg_is_accepted_with_its_size() {
        assert_eq!(check_still(&jpeg(1366, 768)), Ok((1366, 768)));
    }

    #[test]
    fn anything_but_a_jpeg_of_a_frame_size_is_refused() {
        assert_eq!(check_still(&[]), Err(StillProblem::Empty));
        assert_eq!(check_still(b"<svg/>"), Err(StillProblem::NotAJpeg));
        let mut png = Vec::new();
        image::RgbImage::new(8, 8)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(check_still(&png), Err(StillProblem::NotAJpeg));
        assert_eq!(
            check_still(&jpeg(5000, 10)),
            Err(StillProblem::OddSize {
                width: 5000,
                height: 10
            })
        );
        let huge = vec![0xFF; MAX_STILL_BYTES + 1];
        assert!(matches!(
            check_still(&huge),
            Err(StillProblem::TooLarge { .. })
        ));
    }
}
