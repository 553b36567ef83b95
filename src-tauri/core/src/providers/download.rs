//! Bringing a finished video home: streamed to disk, resumed after a drop, size-checked.

use std::path::{Path, PathBuf};

use backon::BackoffBuilder;
use futures_util::StreamExt;
use reqwest::header::{CONTENT_RANGE, RANGE};
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
    let provider = client.provider();
    // Re-check the link: the key must never go to another origin, and only https is followed.
    let url = client.link(link.url.as_str())?;
    if link.send_key && !client.is_own_origin(&url) {
        return Err(ProviderError::UnsafeLink {
            provider,
            url: url.origin().ascii_serialization(),
        });
    }
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
    loop {
        let have = match tokio::fs::metadata(&part).await {
            Ok(meta) => meta.len(),
            Err(_) => 0,
        };
        match attempt(client, &url, link, &part, have, &mut progress).await {
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

/// One request: from `have` bytes on. Returns the complete size when the file is whole.
async fn attempt(
    client: &ProviderClient,
    url: &url::Url,
    link: &VideoLink,
    part: &Path,
    have: u64,
    progress: &mut (impl FnMut(u64, Option<u64>) + Send),
) -> Result<u64, Setback> {
    let provider = client.provider();
    let stall = client.policy.download_stall;
    let mut request = client.http.get(url.clone());
    if link.send_key {
        request = client.authorized(request);
    }
    if have > 0 {
        request = request.header(RANGE, format!("bytes={have}-"));
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
        StatusCode::OK => (0, response.content_length()),
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
            let whole = content_range_total(&response).or(link.expected_bytes);
            if have > 0 && whole == Some(have) {
                return finish(client, part, have).await;
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
    if let (Some(expected), Some(total)) = (link.expected_bytes, total) {
        if expected != total {
            return Err(Setback::Stop(ProviderError::UnexpectedAnswer {
                provider,
                what: format!("a video of {total} bytes where {expected} were announced"),
                said: ProviderSaid::status(status.as_u16()),
            }));
        }
    }
    let total = total.or(link.expected_bytes);
    if let Some(total) = total.filter(|t| *t > MAX_VIDEO_BYTES) {
        return Err(Setback::Stop(ProviderError::VideoTooLarge {
            provider,
            bytes: total,
            limit: MAX_VIDEO_BYTES,
        }));
    }

    let file = if start == 0 {
        std::fs::File::create(part)
    } else {
        std::fs::OpenOptions::new().append(true).open(part)
    }
    .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    let mut out = DiskWriter::start(file);
    let mut position = start;
    progress(position, total);
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
                progress(position, total);
            }
            Ok(Some(Err(err))) => break Some(plain_transport_error(err)),
            Ok(None) => break None,
            Err(_) => break Some(format!("nothing arrived for {} seconds", stall.as_secs())),
        }
    };
    let complete = interrupted.is_none() && total.is_none_or(|t| position >= t);
    // What arrived is kept either way, so the next attempt resumes after it; only a complete
    // video is synced, so a paid video is never lost to a crash right after "done".
    out.finish(complete)
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
    finish(client, part, position).await
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

    /// Waits for every queued chunk to be written, then syncs the file if asked.
    async fn finish(mut self, sync: bool) -> std::io::Result<()> {
        self.chunks.take();
        let file = self.thread.await.map_err(std::io::Error::other)??;
        if sync {
            tokio::task::spawn_blocking(move || file.sync_all())
                .await
                .map_err(std::io::Error::other)??;
        }
        Ok(())
    }
}

/// Makes the bytes durable before the file is called complete: a paid video is never lost to
/// a crash right after "done".
/// It must also be an MP4 (an `ftyp` box first): an error page saved as a video would look
/// like a paid video lost.
async fn finish(client: &ProviderClient, part: &Path, bytes: u64) -> Result<u64, Setback> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(part)
        .await
        .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    let mut head = [0u8; 8];
    let read = file.read_exact(&mut head).await;
    if read.is_err() || !is_mp4_head(&head) {
        remove_part(part).await?;
        return Err(Setback::Stop(ProviderError::UnexpectedAnswer {
            provider: client.provider(),
            what: "a file that is not an MP4 video".into(),
            said: ProviderSaid::default(),
        }));
    }
    file.sync_all()
        .await
        .map_err(|err| Setback::Stop(disk_error(part, err)))?;
    Ok(bytes)
}

/// An MP4 file starts with a box whose type is `ftyp` (bytes 4 to 8).
pub(crate) fn is_mp4_head(head: &[u8]) -> bool {
    head.get(4..8) == Some(b"ftyp".as_slice())
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

    #[test]
    fn only_a_file_starting_with_an_ftyp_box_is_an_mp4() {
        assert!(is_mp4_head(b"\0\0\0\x20ftypisom"));
        assert!(!is_mp4_head(b"<html><body>"));
        assert!(!is_mp4_head(b"\0\0"));
    }

    #[test]
    fn the_partial_file_sits_next_to_the_video() {
        assert_eq!(
            part_path(Path::new("/videos/2026/sunset.mp4")),
            PathBuf::from("/videos/2026/sunset.mp4.part")
        );
    }
}
