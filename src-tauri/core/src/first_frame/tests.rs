//! Tests of first-frame checks and fixes, on pictures made at test time.

use std::io::Cursor;
use std::path::PathBuf;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;
use crate::generation::{GenerationRequest, Model, Resolution};

/// A photo-like picture: smooth gradients plus fine detail, so encoders behave as on photos.
fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x ^ y) & 0x3f) as u8 + 96,
        ])
    })
}

/// Random-looking pixels: they barely compress, which makes heavy files from few pixels.
fn noise(width: u32, height: u32) -> RgbImage {
    let mut state: u32 = 0x9e37_79b9;
    RgbImage::from_fn(width, height, |_, _| {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        };
        Rgb([next(), next(), next()])
    })
}

fn encoded(picture: impl Into<DynamicImage>, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture.into().write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(picture: RgbImage) -> Vec<u8> {
    encoded(picture, ImageFormat::Jpeg)
}

/// Inserts an EXIF APP1 segment holding only an orientation tag right after the JPEG's SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // big-endian, first IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding of the 4-byte value field
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut segment = b"Exif\x00\x00".to_vec();
    segment.extend_from_slice(&tiff);
    let length = (segment.len() + 2) as u16;

    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A 60-byte PNG whose header claims 100000×100000 RGB pixels (30 GB decoded).
fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &header);
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A small JPEG whose frame header claims 65000×65000 pixels.
fn jpeg_bomb() -> Vec<u8> {
    let mut bytes = jpeg(photo(16, 16));
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2)
    bytes[sof + 5..sof + 7].copy_from_slice(&65_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&65_000u16.to_be_bytes());
    bytes
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn check(report: &FirstFrameReport, rule: Rule) -> &RuleCheck {
    report.rules.iter().find(|c| c.rule == rule).unwrap()
}

fn offered(report: &FirstFrameReport) -> Vec<Fix> {
    report.fixes.iter().map(|o| o.fix).collect()
}

fn decoded(prepared: &PreparedFirstFrame) -> DynamicImage {
    image::load_from_memory(&prepared.bytes).unwrap()
}

#[test]
fn a_good_jpeg_passes_every_rule_and_is_sent_byte_for_byte() {
    let bytes = jpeg(photo(1280, 720));
    let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
    assert_eq!(report.format, PictureFormat::Jpeg);
    assert_eq!((report.width, report.height), (1280, 720));
    assert_eq!(report.file_bytes, bytes.len() as u64);
    assert!(report.ready);
    assert!(report.rules.iter().all(|c| c.passed), "{:?}", report.rules);
    assert!(report.fixes.is_empty());
    assert_eq!(report.shape, VideoShape::Landscape);
    assert!(report.preview.starts_with("data:image/jpeg;base64,"));

    let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
    assert_eq!(prepared.bytes, bytes);
    assert_eq!(prepared.mime, "image/jpeg");
    assert!(prepared.fixes_applied.is_empty());
}

#[test]
fn png_and_webp_are_read_and_sent_as_they_are() {
    for (format, mime) in [
        (ImageFormat::Png, "image/png"),
        (ImageFormat::WebP, "image/webp"),
    ] {
        let bytes = encoded(photo(500, 500), format);
        let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
        assert!(report.ready, "{format:?}");
        assert_eq!(report.sent_as, mime);
        assert_eq!(report.shape, VideoShape::Square);
        let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
        assert_eq!(prepared.bytes, bytes, "{format:?}");
        assert_eq!(prepared.mime, mime);
    }
}

#[test]
fn gif_bmp_and_tiff_are_converted_to_jpeg_and_transparency_keeps_png() {
    for format in [ImageFormat::Gif, ImageFormat::Bmp, ImageFormat::Tiff] {
        let bytes = encoded(photo(640, 480), format);
        let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
        assert!(report.ready, "{format:?}");
        assert_eq!(report.sent_as, "image/jpeg", "{format:?}");
        assert!(check(&report, Rule::Format)
            .verdict
            .contains("sent as JPEG"));
        let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
        assert_eq!(prepared.mime, "image/jpeg");
        assert_eq!(
            image::guess_format(&prepared.bytes).unwrap(),
            ImageFormat::Jpeg
        );
        assert_eq!((prepared.width, prepared.height), (640, 480));
    }

    let see_through = RgbaImage::from_fn(400, 400, |x, _| Rgba([200, 30, 30, (x % 256) as u8]));
    let bytes = encoded(see_through, ImageFormat::Tiff);
    let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
    assert_eq!(prepared.mime, "image/png");
    assert!(decoded(&prepared).color().has_alpha());
}

#[test]
fn the_type_comes_from_the_content_not_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "holiday.png", &jpeg(photo(800, 600)));
    let report = inspect(PictureSource::File(&path)).unwrap();
    assert_eq!(report.format, PictureFormat::Jpeg);
    assert_eq!(report.sent_as, "image/jpeg");
    assert_eq!(
        prepare(PictureSource::File(&path), &[]).unwrap().mime,
        "image/jpeg"
    );
}

#[test]
fn a_sideways_phone_photo_is_turned_upright_and_becomes_a_portrait_video() {
    // Stored landscape: left half red, right half blue. Orientation 6 means "rotate 90° clockwise
    // to view", so upright it is portrait with red on top.
    let stored = RgbImage::from_fn(640, 320, |x, _| {
        if x < 320 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let bytes = with_exif_orientation(&jpeg(stored), 6);
    let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
    assert!(report.turned_upright);
    assert_eq!((report.width, report.height), (320, 640));
    assert_eq!(report.shape, VideoShape::Portrait);
    assert!(report.shape_sentence.contains("portrait"));

    let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
    assert_ne!(
        prepared.bytes, bytes,
        "the pixels themselves must be upright"
    );
    let upright = decoded(&prepared).to_rgb8();
    assert_eq!(upright.dimensions(), (320, 640));
    let top = upright.get_pixel(160, 100).0;
    let bottom = upright.get_pixel(160, 540).0;
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom is blue: {bottom:?}"
    );
}

#[test]
fn the_short_side_must_be_over_300_pixels() {
    let at_limit = jpeg(photo(600, 300));
    let report = inspect(PictureSource::Pasted(&at_limit)).unwrap();
    assert!(!check(&report, Rule::ShortSide).passed);
    assert!(check(&report, Rule::ShortSide).verdict.contains("300 px"));

    let just_over = jpeg(photo(602, 301));
    let report = inspect(PictureSource::Pasted(&just_over)).unwrap();
    assert!(check(&report, Rule::ShortSide).passed);
    assert!(report.ready);
}

#[test]
fn a_200_pixel_square_is_upscaled_only_with_consent_and_with_a_warning() {
    let bytes = jpeg(photo(200, 200));
    let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
    assert!(!report.ready);
    assert_eq!(offered(&report), vec![Fix::Upscale]);
    let offer = &report.fixes[0];
    assert_eq!((offer.width, offer.height), (320, 320));
    assert!(offer.warning.as_deref().unwrap().contains("blurry"));
    assert!(offer.preview.starts_with("data:image/jpeg;base64,"));

    let refused = prepare(PictureSource::Pasted(&bytes), &[]).unwrap_err();
    assert!(matches!(
        refused,
        FirstFrameError::FixNeeded {
            rule: Rule::ShortSide,
            fix: Fix::Upscale,
            ..
        }
    ));
    assert!(refused.to_string().contains("Enlarge it"), "{refused}");

    let prepared = prepare(PictureSource::Pasted(&bytes), &[Fix::Upscale]).unwrap();
    assert_eq!((prepared.width, prepared.height), (320, 320));
    assert_eq!(decoded(&prepared).width(), 320);
    assert_eq!(prepared.fixes_applied, vec![Fix::Upscale]);
}

#[test]
fn the_shape_limits_are_5_to_2_and_2_to_5_inclusive() {
    for (w, h, passes) in [
        (1000, 400, true),
        (1001, 400, false),
        (400, 1000, true),
        (400, 1001, false),
    ] {
        let report = inspect(PictureSource::Pasted(&jpeg(photo(w, h)))).unwrap();
        assert_eq!(check(&report, Rule::Shape).passed, passes, "{w}×{h}");
    }
}

#[test]
fn a_3_to_1_panorama_is_cropped_or_padded_to_5_to_2() {
    let bytes = jpeg(photo(1500, 500));
    let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
    assert!(!check(&report, Rule::Shape).passed);
    assert!(check(&report, Rule::Shape).verdict.contains("5:2"));
    assert_eq!(offered(&report), vec![Fix::Crop, Fix::Pad]);
    assert_eq!((report.fixes[0].width, report.fixes[0].height), (1250, 500));
    assert_eq!((report.fixes[1].width, report.fixes[1].height), (1500, 600));

    assert!(matches!(
        prepare(PictureSource::Pasted(&bytes), &[]),
        Err(FirstFrameError::FixNeeded {
            rule: Rule::Shape,
            ..
        })
    ));
    let cropped = prepare(PictureSource::Pasted(&bytes), &[Fix::Crop]).unwrap();
    assert_eq!((cropped.width, cropped.height), (1250, 500));
    assert_eq!(cropped.shape, VideoShape::Landscape);
    // The centre is kept: the middle column of the crop is the panorama's middle column.
    let middle = decoded(&cropped).to_rgb8().get_pixel(625, 250).0;
    let expected = photo(1500, 500).get_pixel(750, 250).0;
    assert!(
        middle[0].abs_diff(expected[0]) < 12,
        "{middle:?} vs {expected:?}"
    );

    let padded = prepare(PictureSource::Pasted(&bytes), &[Fix::Pad]).unwrap();
    assert_eq!((padded.width, padded.height), (1500, 600));
    let bar = decoded(&padded).to_rgb8().get_pixel(750, 10).0;
    assert!(bar.iter().all(|&c| c < 16), "the bars are black: {bar:?}");
}

#[test]
fn a_too_tall_screenshot_is_cropped_to_2_to_5() {
    let bytes = encoded(photo(400, 1200), ImageFormat::Png);
    let prepared = prepare(PictureSource::Pasted(&bytes), &[Fix::Crop]).unwrap();
    assert_eq!((prepared.width, prepared.height), (400, 1000));
    assert_eq!(prepared.mime, "image/png", "a PNG stays sharp as a PNG");
    assert_eq!(prepared.shape, VideoShape::Portrait);
}

#[test]
fn a_small_panorama_needs_both_a_shape_fix_and_enlarging() {
    let bytes = jpeg(photo(900, 200));
    let report = inspect(PictureSource::Pasted(&bytes)).unwrap();
    assert_eq!(offered(&report), vec![Fix::Upscale, Fix::Crop, Fix::Pad]);
    assert!(matches!(
        prepare(PictureSource::Pasted(&bytes), &[Fix::Crop]),
        Err(FirstFrameError::FixNeeded {
            rule: Rule::ShortSide,
            ..
        })
    ));
    let prepared = prepare(PictureSource::Pasted(&bytes), &[Fix::Crop, Fix::Upscale]).unwrap();
    assert_eq!((prepared.width, prepared.height), (800, 320));
    assert_eq!(prepared.fixes_applied, vec![Fix::Crop, Fix::Upscale]);
}

#[test]
fn a_small_pictures_size_is_said_in_kilobytes_not_as_zero_megabytes() {
    let small = jpeg(photo(400, 300));
    assert!(small.len() < 100_000, "{} bytes", small.len());
    let report = inspect(PictureSource::Pasted(&small)).unwrap();
    let verdict = &check(&report, Rule::FileSize).verdict;
    let kilobytes = (small.len() as f64 / 1000.0).round().max(1.0);
    assert_eq!(verdict, &format!("{kilobytes} KB, under the 20 MB limit."));
}

#[test]
fn a_one_pixel_strip_is_never_padded_or_enlarged_past_the_pixel_limit() {
    // Run through the first_frame fuzz target, a 167-byte 30000×1 PNG passed its 8 GB memory
    // limit after 4 minutes: it was offered bars making it 30000×12000 and enlarging making
    // it 9,600,000×320.
    let strip = encoded(photo(30_000, 1), ImageFormat::Png);
    let started = std::time::Instant::now();
    let report = inspect(PictureSource::Pasted(&strip)).unwrap();
    assert_eq!(offered(&report), [Fix::Upscale, Fix::Crop]);
    let enlarge = &report.fixes[0];
    assert_eq!((enlarge.width, enlarge.height), (640, 320));
    assert!(
        enlarge.explanation.starts_with("Once its shape is fixed"),
        "{}",
        enlarge.explanation
    );
    let prepared = prepare(PictureSource::Pasted(&strip), &offered(&report)).unwrap();
    assert_eq!((prepared.width, prepared.height), (640, 320));
    // Bars alone cannot be made, so the picture still needs a shape fix.
    assert!(matches!(
        prepare(PictureSource::Pasted(&strip), &[Fix::Pad, Fix::Upscale]),
        Err(FirstFrameError::FixNeeded {
            rule: Rule::Shape,
            ..
        })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_heavy_but_legal_png_is_made_lighter_under_20_mb() {
    let heavy = encoded(noise(2900, 2900), ImageFormat::Png);
    assert!(heavy.len() > MAX_SEND_BYTES, "{} bytes", heavy.len());
    let report = inspect(PictureSource::Pasted(&heavy)).unwrap();
    assert!(!check(&report, Rule::FileSize).passed);
    assert!(check(&report, Rule::FileSize).verdict.contains("20 MB"));
    assert_eq!(offered(&report), vec![Fix::Downscale]);
    assert!(report.fixes[0].bytes < MAX_SEND_BYTES);

    assert!(matches!(
        prepare(PictureSource::Pasted(&heavy), &[]),
        Err(FirstFrameError::FixNeeded {
            rule: Rule::FileSize,
            fix: Fix::Downscale,
            ..
        })
    ));
    let lighter = prepare(PictureSource::Pasted(&heavy), &[Fix::Downscale]).unwrap();
    assert!(lighter.bytes.len() < MAX_SEND_BYTES);
    assert_eq!(lighter.mime, "image/jpeg", "an opaque picture becomes JPEG");
    assert!(lighter.width <= 2900 && lighter.width > MIN_SHORT_SIDE);
    assert_eq!(lighter.width, lighter.height);
}

#[test]
fn a_heavy_transparent_png_stays_png_and_is_made_smaller() {
    let mut state = 7u32;
    let see_through = RgbaImage::from_fn(2400, 2400, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        Rgba(state.to_be_bytes())
    });
    let heavy = encoded(see_through, ImageFormat::Png);
    assert!(heavy.len() > MAX_SEND_BYTES, "{} bytes", heavy.len());
    let lighter = prepare(PictureSource::Pasted(&heavy), &[Fix::Downscale]).unwrap();
    assert_eq!(lighter.mime, "image/png");
    assert!(lighter.bytes.len() < MAX_SEND_BYTES);
    assert!(lighter.width < 2400);
    assert!(decoded(&lighter).color().has_alpha());
}

#[test]
fn decompression_bombs_are_refused_from_their_header() {
    for (name, bomb, claimed) in [("png", png_bomb(), 100_000), ("jpeg", jpeg_bomb(), 65_000)] {
        assert!(bomb.len() < 1000, "{name}");
        let err = inspect(PictureSource::Pasted(&bomb)).unwrap_err();
        match &err {
            FirstFrameError::TooManyPixels { width, height } => {
                assert_eq!((*width, *height), (claimed, claimed), "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(err.to_string().contains("too large to open safely"));
        assert!(prepare(PictureSource::Pasted(&bomb), &[]).is_err());
    }
}

#[test]
fn a_truncated_jpeg_is_refused_as_damaged() {
    let whole = jpeg(photo(800, 600));
    let truncated = &whole[..whole.len() / 3];
    let err = inspect(PictureSource::Pasted(truncated)).unwrap_err();
    assert!(
        matches!(
            err,
            FirstFrameError::Damaged {
                format: PictureFormat::Jpeg,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("damaged or incomplete"));

    // Phone photos carry a small thumbnail JPEG, with its own end marker, in their EXIF block:
    // that end marker must not make a cut-off photo look complete.
    let mut thumbnail_segment = vec![0xFF, 0xE1];
    let payload = [
        b"Exif\x00\x00".as_slice(),
        &[0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9],
    ]
    .concat();
    thumbnail_segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    thumbnail_segment.extend_from_slice(&payload);
    let with_thumbnail = [&whole[..2], &thumbnail_segment, &whole[2..]].concat();
    assert!(inspect(PictureSource::Pasted(&with_thumbnail)).is_ok());
    let cut = &with_thumbnail[..with_thumbnail.len() - 400];
    assert!(matches!(
        inspect(PictureSource::Pasted(cut)),
        Err(FirstFrameError::Damaged { .. })
    ));
}

#[test]
fn files_that_are_not_pictures_or_unsupported_are_refused_in_plain_words() {
    let text = b"Dear diary, today I made a video.".repeat(20);
    let err = inspect(PictureSource::Pasted(&text)).unwrap_err();
    assert!(matches!(err, FirstFrameError::NotAPicture));
    assert!(err
        .to_string()
        .contains("JPEG, PNG, WebP, GIF, BMP or TIFF"));

    // An AVIF from a recent phone: recognised, but not a format the app reads.
    let mut avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1".to_vec();
    avif.resize(512, 0);
    let err = inspect(PictureSource::Pasted(&avif)).unwrap_err();
    assert!(
        matches!(&err, FirstFrameError::UnsupportedFormat { format } if format == "AVIF"),
        "{err:?}"
    );
}

#[test]
fn a_file_over_200_mb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("render.png");
    // Sparse: 201 MB of nothing on disk. Read whole, it would be refused as "not a picture".
    std::fs::File::create(&path)
        .unwrap()
        .set_len(201_000_000)
        .unwrap();
    let err = inspect(PictureSource::File(&path)).unwrap_err();
    assert!(
        matches!(err, FirstFrameError::FileTooLarge { bytes: 201_000_000 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("201.0 MB"));
    assert!(err.to_string().contains("200 MB"));
}

#[test]
fn unreadable_paths_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.jpg");
    let err = inspect(PictureSource::File(&missing)).unwrap_err();
    assert!(matches!(err, FirstFrameError::Unreadable { .. }));
    assert!(err.to_string().contains("gone.jpg"), "{err}");

    let err = inspect(PictureSource::File(dir.path())).unwrap_err();
    assert!(matches!(err, FirstFrameError::NotAFile { .. }), "{err:?}");
}

#[test]
fn the_original_file_is_never_modified_and_the_prepared_picture_is_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let original = jpeg(photo(1500, 500));
    let path = write(&dir, "panorama.jpg", &original);

    let prepared = prepare(PictureSource::File(&path), &[Fix::Crop]).unwrap();
    let generation_dir = dir.path().join("library").join("gen-1");
    let saved = prepared.save_into(&generation_dir).unwrap();
    assert_eq!(saved, generation_dir.join("first-frame.jpg"));
    assert_eq!(std::fs::read(&saved).unwrap(), prepared.bytes);
    assert_eq!(std::fs::read(&path).unwrap(), original);
    assert!(!generation_dir.join("first-frame.jpg.part").exists());

    // Even when the original sits where the prepared picture would go.
    let in_place = write(&dir, "first-frame.jpg", &original);
    let prepared = prepare(PictureSource::File(&in_place), &[Fix::Crop]).unwrap();
    assert!(matches!(
        prepared.save_into(dir.path()),
        Err(FirstFrameError::WouldReplaceOriginal)
    ));
    assert_eq!(std::fs::read(&in_place).unwrap(), original);
}

#[test]
fn a_prepared_picture_goes_to_minimax_and_openrouter_as_a_data_url() {
    let bytes = encoded(photo(640, 640), ImageFormat::Png);
    let prepared = prepare(PictureSource::Pasted(&bytes), &[]).unwrap();
    let url = prepared.data_url();
    assert!(
        url.starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{}",
        &url[..40]
    );
    assert!(url.len() < OPENROUTER_MAX_BODY_BYTES);

    let mut request = GenerationRequest {
        provider: Provider::OpenRouter,
        model: Model::Hailuo23,
        prompt: "The cat wakes up".into(),
        first_frame: Some(prepared.into_first_frame()),
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    };
    assert_eq!(request.validate(), Ok(()));
    request.provider = Provider::MinimaxGlobal;
    assert_eq!(request.validate(), Ok(()));
}

#[test]
fn linkmodel_is_explained_as_needing_an_https_link() {
    let report = inspect(PictureSource::Pasted(&jpeg(photo(640, 480)))).unwrap();
    let linkmodel = report
        .providers
        .iter()
        .find(|p| p.provider == Provider::LinkModel)
        .unwrap();
    assert!(!linkmodel.accepts_picture);
    assert!(linkmodel.note.contains("https://"));
    assert!(report
        .providers
        .iter()
        .filter(|p| p.provider != Provider::LinkModel)
        .all(|p| p.accepts_picture));
}

#[test]
fn the_report_reaches_the_ui_in_camel_case_with_kebab_case_names() {
    let report = inspect(PictureSource::Pasted(&jpeg(photo(200, 200)))).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["format"], "jpeg");
    assert_eq!(json["shape"], "square");
    assert_eq!(json["fixes"][0]["fix"], "upscale");
    assert_eq!(json["rules"][2]["rule"], "short-side");
    assert_eq!(json["rules"][2]["passed"], false);
    assert_eq!(json["fileBytes"], report.file_bytes);
    let accepted: Vec<Fix> = serde_json::from_str(r#"["crop","upscale"]"#).unwrap();
    assert_eq!(accepted, vec![Fix::Crop, Fix::Upscale]);
}

#[test]
fn prepared_bytes_never_show_in_debug_output() {
    let prepared = prepare(PictureSource::Pasted(&jpeg(photo(400, 400))), &[]).unwrap();
    let shown = format!("{prepared:?}");
    assert!(
        shown.contains(&format!("bytes: {}", prepared.bytes.len())),
        "{shown}"
    );
    assert!(shown.len() < 200);
}
