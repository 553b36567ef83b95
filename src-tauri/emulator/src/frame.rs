//! Checking a first frame the way the services do, and reading its pixel size.

use base64::Engine;

/// The largest first-frame picture MiniMax takes (providers.md: under 20 MB).
const MAX_FRAME_BYTES: usize = 20 * 1024 * 1024;

/// Checks a first frame given as a data URL or https link and returns its pixel size; for a
/// link (which the emulator cannot fetch) `linked_size` is assumed. The error is the reason in
/// the words a service would use.
pub(crate) fn inspect(url: &str, linked_size: (u32, u32)) -> Result<(u32, u32), String> {
    if url.starts_with("https://") {
        return Ok(linked_size);
    }
    let Some(rest) = url.strip_prefix("data:") else {
        return Err("first frame image must be an https URL or a base64 data URL".into());
    };
    let Some((mime, payload)) = rest.split_once(";base64,") else {
        return Err("first frame data URL must be base64 encoded".into());
    };
    if !matches!(
        mime,
        "image/jpeg" | "image/jpg" | "image/png" | "image/webp"
    ) {
        return Err(format!(
            "first frame image format {mime} is not supported, use JPG, PNG or WebP"
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| "first frame data URL is not valid base64".to_string())?;
    if bytes.len() >= MAX_FRAME_BYTES {
        return Err("first frame image must be smaller than 20MB".into());
    }
    let kind = imagesize::image_type(&bytes)
        .map_err(|_| "first frame image could not be decoded".to_string())?;
    if !matches!(
        kind,
        imagesize::ImageType::Jpeg | imagesize::ImageType::Png | imagesize::ImageType::Webp
    ) {
        return Err("first frame image format is not supported, use JPG, PNG or WebP".into());
    }
    let size = imagesize::blob_size(&bytes)
        .map_err(|_| "first frame image could not be decoded".to_string())?;
    let (width, height) = (
        u32::try_from(size.width).unwrap_or(u32::MAX),
        u32::try_from(size.height).unwrap_or(u32::MAX),
    );
    if width.min(height) <= 300 {
        return Err("first frame image short side must be greater than 300px".into());
    }
    // Aspect between 2:5 and 5:2, compared in integers to stay exact.
    let (w, h) = (u64::from(width), u64::from(height));
    if 5 * w < 2 * h || 2 * w > 5 * h {
        return Err("first frame image aspect ratio must be between 2:5 and 5:2".into());
    }
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header claiming `width`×`height`: enough for the size check.
    pub(crate) fn png_data_url(width: u32, height: u32) -> String {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    }

    #[test]
    fn a_png_data_url_gives_its_pixel_size() {
        assert_eq!(inspect(&png_data_url(1024, 1536), (1, 1)), Ok((1024, 1536)));
    }

    #[test]
    fn small_or_extreme_pictures_are_refused() {
        assert!(inspect(&png_data_url(300, 600), (1, 1))
            .unwrap_err()
            .contains("short side"));
        assert!(inspect(&png_data_url(2000, 400), (1, 1))
            .unwrap_err()
            .contains("aspect ratio"));
        assert_eq!(inspect(&png_data_url(1000, 400), (1, 1)), Ok((1000, 400)));
    }

    #[test]
    fn only_https_links_and_image_data_urls_are_taken() {
        assert_eq!(
            inspect("https://example.com/a.png", (1920, 1080)),
            Ok((1920, 1080))
        );
        assert!(inspect("http://example.com/a.png", (1, 1)).is_err());
        assert!(inspect("data:image/gif;base64,R0lGODlh", (1, 1)).is_err());
        assert!(inspect("data:image/png;base64,!!!", (1, 1)).is_err());
    }
}
