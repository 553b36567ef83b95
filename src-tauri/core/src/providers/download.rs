//! Bringing a finished video home: streamed to disk, resumed after a drop, kept only as a whole MP4.

use std::path::{Path, PathBuf};

use backon::BackoffBuilder;
use futures_util::StreamExt;
use reqwest::header::{CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};
use reqwest::StatusCode;
use std::io::Write;

use bytes::Bytes;

use super::error::{ProviderError, ProviderSaid};
use super::http::{by_status, is_transient, plain_transport_error, read_start, retry_after};
use super::{DownloadedVideo, ProviderClient, VideoLink, MAX_VIDEO_BYTES};

/// Chunks waiting for the disk at most; a chunk is one network read (tens to hundreds of KB).
const WRITE_QUEUE: usize = 16;

/// How one attempt ended without the whole video.
enum Setback {
    /// Worth another try; `progressed` when this attempt saved new bytes.
    Retry {
        error: ProviderError,
        progressed: bool,
    },
    /// Asking again will not help (expired link, too large, disk full...).
    Stop(ProviderError),
}

/// `dest` + `.part`: where bytes land until the video is complete.
pub(crate) fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

fn disk_error(path: &Path, err: std::io::Error) -> ProviderError {
    ProviderError::Disk {
        path: path.display().to_string(),
        detail: err.to_string(),
    }
}

pub(crate) async fn download(
    client: &ProviderClient,
    link: &VideoLink,
    dest: &Path,
    mut progress: impl FnMut(u64, Option<u64>) + Send,
) -> Result<DownloadedVideo, ProviderError> {
    let first = fetch(client, &link.url, link.send_key, link, dest, &mut progress).await;
    let Some(fallback) = link.fallback.as_ref() else {
        return first;
    };
    let error = match first {
        Ok(video) => return Ok(video),
        // The disk said no: another address would not help.
        Err(error @ ProviderError::Disk { .. }) => return Err(error),
        Err(error) => error,
    };
    tracing::info!(
        provider = client.provider().id(),
        kind = error.kind(),
        "the download link failed; trying the service's own download address"
    );
    // Another address may serve other bytes (another encoding, other validators): from zero.
    if let Err(Setback::Stop(err) | Setback::Retry { error: err, .. }) =
        remove_part(&part_path(dest)).await
    {
        return Err(err);
    }
    match fetch(client, fallback, true, link, dest, &mut progress).await {
        Ok(video) => Ok(video),
        Err(second) => {
            tracing::warn!(
                kind = second.kind(),
                "the service's own download address failed too: {second}"
            );
            Err(error)
        }
    }
}

/// Downloads from one address, with retries and resumes.
async fn fetch(
    client: &ProviderClient,
    raw: &url::Url,
    send_key: bool,
    link: &VideoLink,
    dest: &Path,
    progress: &mut (impl FnMut(u64, Option<u64>) + Send),
) -> Result<DownloadedVideo, ProviderError> {
    let provider = client.provider();
    // Re-check the link: the key must never go to another origin, and only https is followed.
    let url = client.link(raw.as_str())?;
    if send_key && !client.is_own_origin(&url) {
        return Err(ProviderError::UnsafeLink {
            provider,
            url: url.origin().ascii_serialization(),
        });
    }
    // An announced size is a hint (MiniMax has been seen announcing 0): only one over the cap
    // stops the download before it starts.
    if let Some(expected) = link.expected_bytes.filter(|b| *b > MAX_VIDEO_BYTES) {
        return Err(ProviderError::VideoTooLarge {
            provider,
            bytes: expected,
            limit: MAX_VIDEO_BYTES,
        });
    }
    if let Some(folder) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|err| disk_error(folder, err))?;
    }
    let part = part_path(dest);
    let mut backoff = client.policy.backoff().build();
    let mut resumed = 0;
    // The first answer's ETag or Last-Modified, sent back as `If-Range` when resuming: a file
    // that changed meanwhile then comes whole instead of being stitched onto the old bytes.
    let mut validator: Option<String> = None;
    loop {
        // Never through a link: `symlink_metadata` sees the link itself.
        let have = match tokio::fs::symlink_metadata(&part).await {
            Ok(meta) if meta.is_file() => meta.len(),
            _ => 0,
        };
        let asked = Ask {
            url: &url,
            send_key,
            hint: link.expected_bytes.filter(|b| *b > 0),
        };
        match attempt(client, &asked, &part, have, &mut validator, progress).await {
            Ok(bytes) => {
                tokio::fs::rename(&part, dest)
                    .await
                    .map_err(|err| disk_error(dest, err))?;
                return Ok(DownloadedVideo {
                    path: dest.to_path_buf(),
                    bytes,
                    resumed,
                });
            }
            Err(Setback::Stop(error)) => return Err(error),
            Err(Setback::Retry { error, progressed }) => {
                // A drop after new bytes costs no retry: the download is moving forward.
                let wait = if progressed {
                    Some(client.policy.first_delay)
                } else {
                    backoff.next()
                };
                let wait = match (wait, error.retry_after()) {
                    (None, _) => return Err(error),
                    (Some(_), Some(asked)) if asked > client.policy.max_retry_after => {
                        return Err(error)
                    }
                    (Some(_), Some(asked)) => asked,
                    (Some(backoff), None) => backoff,
                };
                tracing::info!(kind = error.kind(), ?wait, "download interrupted; resuming");
                tokio::time::sleep(wait).await;
                if progressed || have > 0 {
                    resumed += 1;
                }
            }
        }
    }
}

/// Where one attempt asks, and what it was told to expect.
struct Ask<'a> {
    url: &'a url::Url,
    send_key: bool,
    /// The announced size when it is not 0: for progress only, never checked.
    hint: Option<u64>,
}

/// One request: from `have` bytes on. Returns the complete size when the file is whole.
async fn attempt(
    client: &ProviderClient,
    asked: &Ask<'_>,
    part: &Path,
    have: u64,
    validator: &mut Option<String>,
    progress: &mut (impl FnMut(u64, Option<u64>) + Send),
) -> Result<u64, Setback> {
    let provider = client.provider();
    let url = asked.url;
    let stall = client.policy.download_stall;
    let mut request = client.http.get(url.clone());
    if asked.send_key {
        request = client.authorized(request);
    }
    if have > 0 {
        request = request.header(RANGE, format!("bytes={have}-"));
        if let Some(validator) = validator.as_deref() {
            request = request.header(IF_RANGE, validator);
        }
    }
    let started = std::time::Instant::now();
    let response = match tokio::time::timeout(stall, request.send()).await {
        Ok(Ok(response)) => {
            // The host and path only: a download link's query often carries a signature.
            tracing::info!(
                provider = provider.id(),
                host = url.host_str().unwrap_or("-"),
                endpoint = url.path(),
                status = response.status().as_u16(),
                elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                from_byte = have,
                "video download"
            );
            response
        }
        Ok(Err(err)) => {
            return Err(Setback::Retry {
                error: ProviderError::NetworkDown {
                    provider,
                    detail: plain_transport_error(err),
                },
                progressed: false,
            })
        }
        Err(_) => {
            return Err(Setback::Retry {
                error: ProviderError::NetworkDown {
                    provider,
                    detail: "the download did not start".into(),
                },
                progressed: false,
            })
        }
    };
    let status = response.status();
    let (start, total) = match status {
        // The whole file, also as the answer to a resume (the file changed, or the server does
        // not resume): it starts again from zero.
        StatusCode::OK => {
            *validator = validator_of(&response);
            (0, response.content_length())
        }
        StatusCode::PARTIAL_CONTENT => match content_range(&response) {
            Some((first, total)) if first == have => (have, total),
            // Not where we stopped: start again rather than stitch the wrong bytes.
            _ => {
                remove_part(part).await?;
                return Err(Setback::Retry {
                    error: ProviderError::UnexpectedAnswer {
                        provider,
                        what: "a resumed download that started at the wrong place".into(),
                        said: ProviderSaid::status(206),
                    },
                    progressed: false,
                });
            }
        },
        StatusCode::RANGE_NOT_SATISFIABLE => {
            // Nothing more to send: the file decides whether it is whole.
            if have > 0 && content_range_total(&response) == Some(have) {
                return finish(client, part, have, true).await;
            }
            remove_part(part).await?;
            return Err(Setback::Retry {
                error: ProviderError::UnexpectedAnswer {
                    provider,
                    what: "a refused resume".into(),
                    said: ProviderSaid::status(416),
                },
                progressed: false,
            });
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::GONE => {
            return Err(Setback::Stop(ProviderError::LinkExpired {
                provider,
                http_status: status.as_u16(),
            }))
        }
        _ => {
            let wait = retry_after(response.headers());
            // Only an excerpt is kept: a huge or endless error page is not read to its end.
            let body = read_start(response, 16 * 1024).await;
            let said = ProviderSaid {
                http_status: Some(status.as_u16()),
                code: None,
                text: Some(super::error::excerpt(&String::from_utf8_lossy(&body)))
                    .filter(|t| !t.is_empty()),
            };
            let error = by_status(provider, status, said, wait);
            return Err(if is_transient(&error) {
                Setback::Retry {
                    error,
                    progressed: false,
                }
            } else {
                Setback::Stop(error)
            });
        }
    };
    if let Some(total) = total.filter(|t| *t > MAX_VIDEO_BYTES) {
        return Err(Setback::Stop(ProviderError::VideoTooLarge {
            provider,
            bytes: total,
            limit: MAX_VIDEO_BYTES,
        }));
    }
    let shown_total = total.or(asked.hint);

    let opening = part.to_path_buf();
    let fresh = start == 0;
    let file = tokio::task::spawn_blocking(move || {
        open_part(
            &opening,
            if fresh {
                PartOpen::Fresh
            } else {
                PartOpen::Append
            },
        )
    })
    .await
    .map_err(|err| Setback::Stop(disk_error(part, std::io::Error::other(err))))?
    .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    let mut out = DiskWriter::start(file);
    let mut position = start;
    progress(position, shown_total);
    let mut stream = response.bytes_stream();
    let interrupted = loop {
        match tokio::time::timeout(stall, stream.next()).await {
            Ok(Some(Ok(chunk))) => {
                position += chunk.len() as u64;
                if position > MAX_VIDEO_BYTES {
                    return Err(Setback::Stop(ProviderError::VideoTooLarge {
                        provider,
                        bytes: position,
                        limit: MAX_VIDEO_BYTES,
                    }));
                }
                if let Some(total) = total.filter(|t| position > *t) {
                    return Err(Setback::Stop(ProviderError::UnexpectedAnswer {
                        provider,
                        what: format!("more than the {total} bytes announced"),
                        said: ProviderSaid::status(status.as_u16()),
                    }));
                }
                if !out.write(chunk).await {
                    break None;
                }
                progress(position, shown_total.map(|t| t.max(position)));
            }
            Ok(Some(Err(err))) => break Some(plain_transport_error(err)),
            Ok(None) => break None,
            Err(_) => break Some(format!("nothing arrived for {} seconds", stall.as_secs())),
        }
    };
    // What arrived is kept either way, so the next attempt resumes after it; `finish` syncs
    // a complete video, so a paid video is never lost to a crash right after "done".
    out.finish()
        .await
        .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    let progressed = position > start;
    if let Some(detail) = interrupted {
        return Err(Setback::Retry {
            error: ProviderError::NetworkDown { provider, detail },
            progressed,
        });
    }
    if let Some(total) = total.filter(|t| position < *t) {
        return Err(Setback::Retry {
            error: ProviderError::DownloadIncomplete {
                provider,
                received: position,
                expected: total,
            },
            progressed,
        });
    }
    // Without a length, the end of the answer is no proof: the MP4 itself must be whole.
    finish(client, part, position, total.is_some()).await
}

/// The `If-Range` value for a later resume: a strong ETag, else Last-Modified.
fn validator_of(response: &reqwest::Response) -> Option<String> {
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    // A weak ETag (`W/"…"`) may not be used in If-Range.
    header(ETAG)
        .filter(|etag| !etag.starts_with("W/"))
        .or_else(|| header(LAST_MODIFIED))
        .map(str::to_owned)
}

/// How the partial file is opened.
#[derive(Clone, Copy)]
enum PartOpen {
    /// Emptied, to write from the first byte.
    Fresh,
    /// To add after what an earlier attempt saved.
    Append,
    /// To read it back and sync it.
    Check,
}

/// Opens the partial file, never through a link: something planted at that path (a symlink to
/// a file elsewhere) would otherwise be written into or emptied. A link found there is removed
/// (that removes the link, not what it points to) and the download starts from zero.
fn open_part(part: &Path, how: PartOpen) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(part).is_ok_and(|m| m.file_type().is_symlink()) {
        tracing::warn!("a link sat where a partial video goes; it was removed, not followed");
        std::fs::remove_file(part)?;
        if !matches!(how, PartOpen::Fresh) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "a link sat where the partial video goes; it was removed",
            ));
        }
    }
    let mut options = std::fs::OpenOptions::new();
    match how {
        PartOpen::Fresh => options.write(true).create(true).truncate(true),
        PartOpen::Append => options.append(true),
        PartOpen::Check => options.read(true).write(true),
    };
    // And should one appear between the look and the open, the open itself refuses it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(part)
}

/// Writes chunks to the file on a blocking thread, straight from the network buffers: no
/// copy on the way, and at most `WRITE_QUEUE` chunks in memory.
struct DiskWriter {
    chunks: Option<tokio::sync::mpsc::Sender<Bytes>>,
    thread: tokio::task::JoinHandle<std::io::Result<std::fs::File>>,
}

impl DiskWriter {
    fn start(mut file: std::fs::File) -> Self {
        let (chunks, mut queue) = tokio::sync::mpsc::channel::<Bytes>(WRITE_QUEUE);
        let thread = tokio::task::spawn_blocking(move || {
            while let Some(chunk) = queue.blocking_recv() {
                file.write_all(&chunk)?;
            }
            Ok(file)
        });
        DiskWriter {
            chunks: Some(chunks),
            thread,
        }
    }

    /// Queues a chunk; false when the writing thread stopped (its error comes from `finish`).
    async fn write(&mut self, chunk: Bytes) -> bool {
        match &self.chunks {
            Some(chunks) => chunks.send(chunk).await.is_ok(),
            None => false,
        }
    }

    /// Waits for every queued chunk to be written.
    async fn finish(mut self) -> std::io::Result<()> {
        self.chunks.take();
        self.thread.await.map_err(std::io::Error::other)??;
        Ok(())
    }
}

/// Calls the file complete only when it is a whole MP4 (see [`mp4_state`]), then makes it
/// durable: a paid video is never lost to a crash right after "done", and neither an error page
/// nor half a video is ever called a video. `length_known`: the server said how long it is,
/// so a broken file will not get better by asking for the rest.
async fn finish(
    client: &ProviderClient,
    part: &Path,
    bytes: u64,
    length_known: bool,
) -> Result<u64, Setback> {
    let provider = client.provider();
    let checking = part.to_path_buf();
    let state = tokio::task::spawn_blocking(move || -> std::io::Result<Mp4State> {
        let mut file = open_part(&checking, PartOpen::Check)?;
        let len = file.metadata()?.len();
        let state = mp4_state(&mut file, len)?;
        if state == Mp4State::Complete {
            file.sync_all()?;
        }
        Ok(state)
    })
    .await
    .map_err(|err| Setback::Stop(disk_error(part, std::io::Error::other(err))))?
    .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    match state {
        Mp4State::Complete => Ok(bytes),
        Mp4State::NotMp4 => {
            remove_part(part).await?;
            Err(Setback::Stop(ProviderError::UnexpectedAnswer {
                provider,
                what: "a file that is not an MP4 video".into(),
                said: ProviderSaid::default(),
            }))
        }
        Mp4State::Incomplete => {
            tracing::info!(bytes, length_known, "the video arrived incomplete");
            if length_known {
                // All the bytes the server has, and still not whole: fetch it again from zero.
                remove_part(part).await?;
            }
            Err(Setback::Retry {
                error: ProviderError::VideoIncomplete { provider },
                progressed: false,
            })
        }
    }
}

/// What a file on disk is, as far as a player is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mp4State {
    /// `ftyp` first, every top-level box whole up to the end of the file, a `moov` with a
    /// track, media data, and every chunk the index points to starting inside the file: a
    /// player can open it and find its frames.
    Complete,
    /// Starts like an MP4 but is cut short: a box runs past the end, the `moov` (the index
    /// every player needs) or the media never came, or the index points past the end.
    Incomplete,
    /// Not an MP4 at all (an error page, an empty file).
    NotMp4,
}

/// What the index (`moov`) says.
#[derive(Default)]
struct Index {
    tracks: usize,
    /// The largest chunk offset of any track (`stco`/`co64`): where its last media starts.
    last_chunk: Option<u64>,
}

/// The boxes on the way from `moov` to the chunk offsets.
const INDEX_CONTAINERS: [&[u8; 4]; 4] = [b"trak", b"mdia", b"minf", b"stbl"];

/// Walks the top-level boxes of an MP4 (ISO BMFF, ISO/IEC 14496-12 §4.2): each starts with a
/// 32-bit size and a 4-letter type; size 1 means a 64-bit size follows, size 0 "to the end of
/// the file". Hand-written rather than a crate: the question is only whether the boxes add up
/// and the index points inside the file, which a full parser (`mp4`, `mp4parse`) answers by
/// reading and allocating far more, for a file that came from the network.
pub(crate) fn mp4_state(
    file: &mut (impl std::io::Read + std::io::Seek),
    len: u64,
) -> std::io::Result<Mp4State> {
    let mut at = 0u64;
    let mut index = Index::default();
    let mut seen_media = false;
    while at < len {
        let Some((kind, header, size)) = box_header(file, at, len)? else {
            return Ok(if at == 0 {
                Mp4State::NotMp4
            } else {
                Mp4State::Incomplete
            });
        };
        if at == 0 && &kind != b"ftyp" {
            return Ok(Mp4State::NotMp4);
        }
        let Some(end) = box_end(at, header, size, len) else {
            return Ok(Mp4State::Incomplete);
        };
        let index_whole = match &kind {
            b"moov" => read_index(file, at + header, end, &mut index, 0)?,
            b"mdat" => {
                seen_media = true;
                true
            }
            _ => true,
        };
        if !index_whole {
            return Ok(Mp4State::Incomplete);
        }
        at = end;
    }
    let points_inside = index.last_chunk.is_none_or(|offset| offset < len);
    Ok(if len == 0 {
        Mp4State::NotMp4
    } else if index.tracks > 0 && seen_media && points_inside {
        Mp4State::Complete
    } else {
        Mp4State::Incomplete
    })
}

/// Where a box that starts at `at` ends, if it fits before `limit`.
fn box_end(at: u64, header: u64, size: u64, limit: u64) -> Option<u64> {
    match size {
        0 => Some(limit),
        size if size < header => None,
        size => at.checked_add(size).filter(|end| *end <= limit),
    }
}

/// The box starting at `at`: its type, header length and size; `None` when the header itself
/// does not fit before `end`.
fn box_header(
    file: &mut (impl std::io::Read + std::io::Seek),
    at: u64,
    end: u64,
) -> std::io::Result<Option<([u8; 4], u64, u64)>> {
    use std::io::SeekFrom;
    if end.saturating_sub(at) < 8 {
        return Ok(None);
    }
    let mut head = [0u8; 8];
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(&mut head)?;
    let size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
    let kind = [head[4], head[5], head[6], head[7]];
    if size != 1 {
        return Ok(Some((kind, 8, size)));
    }
    if end - at < 16 {
        return Ok(None);
    }
    let mut large = [0u8; 8];
    file.read_exact(&mut large)?;
    Ok(Some((kind, 16, u64::from_be_bytes(large))))
}

/// Reads the boxes between `from` and `end` (a container's content) into `index`; false when
/// one of them is not whole.
fn read_index(
    file: &mut (impl std::io::Read + std::io::Seek),
    from: u64,
    end: u64,
    index: &mut Index,
    depth: usize,
) -> std::io::Result<bool> {
    let mut at = from;
    while at < end {
        let Some((kind, header, size)) = box_header(file, at, end)? else {
            return Ok(false);
        };
        let Some(child_end) = box_end(at, header, size, end) else {
            return Ok(false);
        };
        if &kind == b"trak" && depth == 0 {
            index.tracks += 1;
        }
        if INDEX_CONTAINERS.contains(&&kind) && depth < INDEX_CONTAINERS.len() {
            if !read_index(file, at + header, child_end, index, depth + 1)? {
                return Ok(false);
            }
        } else if &kind == b"stco" || &kind == b"co64" {
            let wide = &kind == b"co64";
            match last_chunk_offset(file, at + header, child_end, wide)? {
                Some(offset) => {
                    index.last_chunk = Some(index.last_chunk.map_or(offset, |o| o.max(offset)))
                }
                None if chunk_count(file, at + header, child_end)? == Some(0) => {}
                None => return Ok(false),
            }
        }
        at = child_end;
    }
    Ok(true)
}

/// The entry count of a chunk offset table (after its version and flags).
fn chunk_count(
    file: &mut (impl std::io::Read + std::io::Seek),
    from: u64,
    end: u64,
) -> std::io::Result<Option<u32>> {
    if end.saturating_sub(from) < 8 {
        return Ok(None);
    }
    let mut head = [0u8; 8];
    file.seek(std::io::SeekFrom::Start(from))?;
    file.read_exact(&mut head)?;
    Ok(Some(u32::from_be_bytes([
        head[4], head[5], head[6], head[7],
    ])))
}

/// The largest offset in a chunk offset table, or `None` when it is empty or does not fit.
fn last_chunk_offset(
    file: &mut (impl std::io::Read + std::io::Seek),
    from: u64,
    end: u64,
    wide: bool,
) -> std::io::Result<Option<u64>> {
    let Some(count) = chunk_count(file, from, end)? else {
        return Ok(None);
    };
    let width: u64 = if wide { 8 } else { 4 };
    let table = u64::from(count) * width;
    if table > end - from - 8 {
        return Ok(None);
    }
    // The whole table is inside a box that is inside the file: its size is bounded by the file.
    let mut entries = vec![0u8; usize::try_from(table).map_err(std::io::Error::other)?];
    file.read_exact(&mut entries)?;
    Ok(entries
        .chunks_exact(usize::try_from(width).map_err(std::io::Error::other)?)
        .map(|entry| {
            entry
                .iter()
                .fold(0u64, |value, byte| (value << 8) | u64::from(*byte))
        })
        .max())
}

async fn remove_part(part: &Path) -> Result<(), Setback> {
    match tokio::fs::remove_file(part).await {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(Setback::Stop(disk_error(part, err))),
    }
}

/// `Content-Range: bytes 100-199/5000` → (100, Some(5000)); `*` totals are unknown.
fn content_range(response: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    parse_content_range(value)
}

fn content_range_total(response: &reqwest::Response) -> Option<u64> {
    // A 416 says `bytes */5000`.
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    value.rsplit('/').next()?.trim().parse().ok()
}

pub(crate) fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (first, _last) = range.split_once('-')?;
    let first = first.trim().parse().ok()?;
    let total = total.trim().parse().ok();
    Some((first, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_range_gives_where_it_starts_and_the_whole_size() {
        assert_eq!(
            parse_content_range("bytes 100-199/5000"),
            Some((100, Some(5000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("items 0-9/10"), None);
    }

    fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(content.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }

    /// A track whose one chunk starts at `offset`.
    fn track(offset: u32) -> Vec<u8> {
        let stco = boxed(
            b"stco",
            &[[0u8; 4], 1u32.to_be_bytes(), offset.to_be_bytes()].concat(),
        );
        let stbl = boxed(b"stbl", &[boxed(b"stsd", &[0; 16]), stco].concat());
        let minf = boxed(b"minf", &stbl);
        let mdia = boxed(b"mdia", &[boxed(b"mdhd", &[0; 24]), minf].concat());
        boxed(b"trak", &[boxed(b"tkhd", &[0; 84]), mdia].concat())
    }

    /// ftyp, moov (with a track), mdat: the smallest file a player opens; the media are in two
    /// `mdat` boxes, the track's chunk in the second.
    pub(crate) fn small_mp4(moov_first: bool) -> Vec<u8> {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
        let mdat = [boxed(b"mdat", &[7; 300]), boxed(b"mdat", &[8; 300])].concat();
        let moov = |offset: u32| {
            boxed(
                b"moov",
                &[boxed(b"mvhd", &[0; 100]), track(offset)].concat(),
            )
        };
        let moov_len = moov(0).len();
        let chunk = |before: usize| u32::try_from(before + 308 + 8).unwrap();
        if moov_first {
            [ftyp.clone(), moov(chunk(ftyp.len() + moov_len)), mdat].concat()
        } else {
            [ftyp.clone(), mdat, moov(chunk(ftyp.len()))].concat()
        }
    }

    fn state(bytes: &[u8]) -> Mp4State {
        mp4_state(&mut std::io::Cursor::new(bytes), bytes.len() as u64).unwrap()
    }

    #[test]
    fn a_whole_mp4_is_complete_with_its_moov_before_or_after_the_media() {
        assert_eq!(state(&small_mp4(true)), Mp4State::Complete);
        assert_eq!(state(&small_mp4(false)), Mp4State::Complete);
    }

    #[test]
    fn an_mp4_cut_anywhere_is_incomplete_never_complete() {
        for whole in [small_mp4(true), small_mp4(false)] {
            for cut in 8..whole.len() {
                assert_eq!(state(&whole[..cut]), Mp4State::Incomplete, "cut at {cut}");
            }
        }
    }

    #[test]
    fn media_without_a_moov_is_incomplete() {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0");
        let mdat = boxed(b"mdat", &[7; 300]);
        assert_eq!(state(&[ftyp.clone(), mdat].concat()), Mp4State::Incomplete);
        // A moov with no track in it is not a playable video either.
        let empty_moov = boxed(b"moov", &boxed(b"mvhd", &[0; 100]));
        assert_eq!(state(&[ftyp, empty_moov].concat()), Mp4State::Incomplete);
    }

    #[test]
    fn a_file_not_starting_with_an_ftyp_box_is_not_an_mp4() {
        assert_eq!(state(b"<html><body>gone</body></html>"), Mp4State::NotMp4);
        assert_eq!(state(b"\0\0"), Mp4State::NotMp4);
        assert_eq!(state(b""), Mp4State::NotMp4);
    }

    #[test]
    fn a_64_bit_box_size_and_a_last_box_to_the_end_of_the_file_are_read() {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0");
        let moov = boxed(b"moov", &track(40));
        let mut large = 1u32.to_be_bytes().to_vec();
        large.extend_from_slice(b"mdat");
        large.extend_from_slice(&(16u64 + 50).to_be_bytes());
        large.extend_from_slice(&[1; 50]);
        let mut to_the_end = 0u32.to_be_bytes().to_vec();
        to_the_end.extend_from_slice(b"mdat");
        to_the_end.extend_from_slice(&[2; 70]);
        let file = [ftyp, moov, large, to_the_end].concat();
        assert_eq!(state(&file), Mp4State::Complete);
    }

    #[test]
    fn the_partial_file_sits_next_to_the_video() {
        assert_eq!(
            part_path(Path::new("/videos/2026/sunset.mp4")),
            PathBuf::from("/videos/2026/sunset.mp4.part")
        );
    }
}
