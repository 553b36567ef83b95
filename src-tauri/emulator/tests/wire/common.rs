//! What every wire test needs: a started emulator, a plain HTTP client, pictures and MP4 parsing.

use base64::Engine;
use hailuo_emulator::{Emulator, EmulatorConfig, Service};
use serde_json::Value;

pub async fn start() -> Emulator {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds")
}

/// A request to `service` carrying its valid key.
pub fn authed(
    emulator: &Emulator,
    service: Service,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    client()
        .request(method, format!("{}{path}", emulator.base_url(service)))
        .bearer_auth(emulator.key(service))
}

pub async fn post_json(
    emulator: &Emulator,
    service: Service,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let answer = authed(emulator, service, reqwest::Method::POST, path)
        .json(body)
        .send()
        .await
        .expect("answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("JSON answer"))
}

pub async fn get_json(emulator: &Emulator, service: Service, path: &str) -> (u16, Value) {
    let answer = authed(emulator, service, reqwest::Method::GET, path)
        .send()
        .await
        .expect("answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("JSON answer"))
}

/// A PNG whose header says `width`×`height` (the emulator reads only the header).
pub fn png_data_url(width: u32, height: u32) -> String {
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

/// The width and height of the H.264 sample entry (`moov/trak/mdia/minf/stbl/stsd/avc1`),
/// or `None` when the file has no H.264 video track.
pub fn h264_size(mp4: &[u8]) -> Option<(u16, u16)> {
    let stsd = find_box(
        mp4,
        &[*b"moov", *b"trak", *b"mdia", *b"minf", *b"stbl", *b"stsd"],
    )?;
    // stsd: version+flags (4), entry count (4), then sample entries as boxes.
    let entries = stsd.get(8..)?;
    let avc1 = find_box(entries, &[*b"avc1"])?;
    // VisualSampleEntry: 6 reserved, 2 data_reference_index, 16 predefined/reserved, then size.
    let width = u16::from_be_bytes([*avc1.get(24)?, *avc1.get(25)?]);
    let height = u16::from_be_bytes([*avc1.get(26)?, *avc1.get(27)?]);
    Some((width, height))
}

/// The body of the box at `path`, walking nested boxes.
fn find_box<'a>(mut data: &'a [u8], path: &[[u8; 4]]) -> Option<&'a [u8]> {
    let (first, rest) = path.split_first()?;
    while data.len() >= 8 {
        let size = u32::from_be_bytes(data[0..4].try_into().ok()?) as usize;
        let (header, size) = match size {
            1 => (
                16,
                usize::try_from(u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)).ok()?,
            ),
            0 => (8, data.len()),
            n => (8, n),
        };
        let kind = &data[4..8];
        let body = data.get(header..size)?;
        if kind == first {
            return if rest.is_empty() {
                Some(body)
            } else {
                find_box(body, rest)
            };
        }
        data = data.get(size..)?;
    }
    None
}

/// The type of the last top-level box of an MP4.
pub fn last_box(mp4: &[u8]) -> Option<(String, u64)> {
    let mut data = mp4;
    let mut last = None;
    while data.len() >= 8 {
        let size = u64::from(u32::from_be_bytes(data[0..4].try_into().ok()?));
        let size = if size == 1 {
            u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)
        } else {
            size
        };
        last = Some((String::from_utf8_lossy(&data[4..8]).into_owned(), size));
        data = data.get(usize::try_from(size).ok()?..)?;
    }
    last
}
