//! How long a 24-megapixel camera JPEG takes to be checked and prepared as a first frame.
//!
//! Run: `cargo run --release -p hailuo-core --example first_frame_bench`

use std::error::Error;
use std::time::{Duration, Instant};

use hailuo_core::first_frame::{inspect, prepare, Fix, PictureSource};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};

const WIDTH: u32 = 6000;
const HEIGHT: u32 = 4000;
const ROUNDS: u32 = 3;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let photo = dir.path().join("camera.jpg");
    std::fs::write(&photo, camera_jpeg()?)?;
    let megabytes = std::fs::metadata(&photo)?.len() as f64 / 1e6;
    println!("{WIDTH}×{HEIGHT} JPEG, {megabytes:.1} MB; best of {ROUNDS} rounds");

    let source = PictureSource::File(&photo);
    let checked = best_of(|| inspect(source).map(|_| ()))?;
    let prepared = best_of(|| prepare(source, &[]).map(|_| ()))?;
    println!("inspect (check + preview): {:>6} ms", checked.as_millis());
    println!("prepare (sent as it is):   {:>6} ms", prepared.as_millis());
    println!(
        "checked and prepared:      {:>6} ms (goal: under 1000 ms)",
        (checked + prepared).as_millis()
    );

    // A phone held upright stores the photo sideways with EXIF orientation 6: turning it upright
    // means a full JPEG re-encode, in inspect (for the exact size) and in prepare.
    let sideways = dir.path().join("sideways.jpg");
    std::fs::write(&sideways, with_orientation_6(&std::fs::read(&photo)?))?;
    let source = PictureSource::File(&sideways);
    let checked = best_of(|| inspect(source).map(|_| ()))?;
    let prepared = best_of(|| prepare(source, &[]).map(|_| ()))?;
    println!(
        "sideways inspect (turned upright):             {:>6} ms",
        checked.as_millis()
    );
    println!(
        "sideways prepare (turned upright, re-encoded): {:>6} ms",
        prepared.as_millis()
    );

    // The same photo cut to a 3:1 panorama: the crop fix re-encodes 6000×2000 → 5000×2000.
    let panorama = dir.path().join("panorama.jpg");
    let wide = image::open(&photo)?.crop_imm(0, 1000, WIDTH, 2000);
    wide.save(&panorama)?;
    let source = PictureSource::File(&panorama);
    let offered = best_of(|| inspect(source).map(|_| ()))?;
    let cropped = best_of(|| prepare(source, &[Fix::Crop]).map(|_| ()))?;
    println!(
        "panorama inspect (with crop and pad previews): {:>6} ms",
        offered.as_millis()
    );
    println!(
        "panorama prepare (crop + JPEG re-encode):      {:>6} ms",
        cropped.as_millis()
    );
    Ok(())
}

/// Inserts an EXIF block holding only "orientation 6" right after the JPEG's start marker.
fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let exif: &[u8] = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Gradients plus sensor-like noise, so the file weighs what a camera's does.
fn camera_jpeg() -> Result<Vec<u8>, Box<dyn Error>> {
    let mut state: u32 = 0x2545_f491;
    let picture = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 24) as u8;
        image::Rgb([
            (x * 200 / WIDTH) as u8 + grain,
            (y * 200 / HEIGHT) as u8 + grain,
            (((x / 40) ^ (y / 40)) % 180) as u8 + grain,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).write_image(
        picture.as_raw(),
        WIDTH,
        HEIGHT,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

fn best_of<E: Error + 'static>(
    mut run: impl FnMut() -> Result<(), E>,
) -> Result<Duration, Box<dyn Error>> {
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        run()?;
        best = best.min(started.elapsed());
    }
    Ok(best)
}
