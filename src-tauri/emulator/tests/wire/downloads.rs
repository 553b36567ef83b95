//! Download links: expiry, byte ranges, padding.

use std::time::Duration;

use hailuo_emulator::{Emulator, EmulatorConfig, ExpiredLink, Service};
use serde_json::json;

use crate::common::*;

const GLOBAL: Service = Service::MinimaxGlobal;

/// A finished MiniMax task's file id.
async fn finished_file(emulator: &Emulator) -> String {
    let body = json!({"model":"MiniMax-Hailuo-2.3","prompt":"Waves on rocks"});
    let (_, answer) = post_json(emulator, GLOBAL, "/v1/video_generation", &body).await;
    let task_id = answer["task_id"].as_str().expect("task id").to_string();
    emulator.finish_task_now(&task_id);
    let (_, answer) = get_json(
        emulator,
        GLOBAL,
        &format!("/v1/query/video_generation?task_id={task_id}"),
    )
    .await;
    answer["file_id"].as_str().expect("file id").to_string()
}

async fn download_url(emulator: &Emulator, file_id: &str) -> String {
    let (_, answer) = get_json(
        emulator,
        GLOBAL,
        &format!("/v1/files/retrieve?file_id={file_id}"),
    )
    .await;
    answer["file"]["download_url"]
        .as_str()
        .expect("download_url")
        .to_string()
}

#[tokio::test]
async fn a_minimax_link_expires_after_its_ttl_and_retrieve_gives_a_fresh_one() {
    let emulator = start_with(EmulatorConfig {
        minimax_link_ttl: Duration::from_millis(300),
        ..EmulatorConfig::default()
    })
    .await;
    let file_id = finished_file(&emulator).await;
    let url = download_url(&emulator, &file_id).await;
    assert_eq!(
        client().head(&url).send().await.expect("head").status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let expired = client().get(&url).send().await.expect("answer");
    assert_eq!(expired.status(), 403);
    assert!(expired
        .text()
        .await
        .expect("body")
        .contains("<Code>AccessDenied</Code>"));

    let fresh = download_url(&emulator, &file_id).await;
    assert_ne!(fresh, url);
    assert_eq!(
        client().get(&fresh).send().await.expect("answer").status(),
        200
    );
}

#[tokio::test]
async fn an_expired_link_can_answer_404_and_a_forged_one_403() {
    let emulator = start_with(EmulatorConfig {
        expired_link: ExpiredLink::NotFound,
        ..EmulatorConfig::default()
    })
    .await;
    let url = download_url(&emulator, &finished_file(&emulator).await).await;
    let forged = url.replace("Signature=", "Signature=0");
    assert_eq!(
        client().get(&forged).send().await.expect("answer").status(),
        403
    );
    emulator.expire_links_now();
    assert_eq!(
        client().get(&url).send().await.expect("answer").status(),
        404
    );
}

#[tokio::test]
async fn a_linkmodel_file_url_expires_too() {
    let emulator = start_with(EmulatorConfig {
        linkmodel_link_ttl: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
    .await;
    let body = json!({"model":"MiniMax-Hailuo-2.3","prompt":"Rain on a window"});
    let (_, answer) = post_json(&emulator, Service::LinkModel, "/video-generation", &body).await;
    let task_id = answer["data"]["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    emulator.finish_task_now(&task_id);
    let (_, answer) = get_json(
        &emulator,
        Service::LinkModel,
        &format!("/query/video-generation?task_id={task_id}"),
    )
    .await;
    let url = answer["data"]["file_url"]
        .as_str()
        .expect("file_url")
        .to_string();
    assert_eq!(
        client().get(&url).send().await.expect("answer").status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        client().get(&url).send().await.expect("answer").status(),
        403
    );
}

#[tokio::test]
async fn ranges_get_206_with_content_range_and_past_the_end_gets_416() {
    let emulator = start().await;
    let url = download_url(&emulator, &finished_file(&emulator).await).await;
    let whole = client().get(&url).send().await.expect("answer");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let len: u64 = whole.headers()["content-length"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number");
    let whole = whole.bytes().await.expect("bytes");
    assert_eq!(whole.len() as u64, len);

    for (range, start, end) in [
        ("bytes=10-19".to_string(), 10, 19),
        (format!("bytes={}-", len - 5), len - 5, len - 1),
        ("bytes=-100".to_string(), len - 100, len - 1),
    ] {
        let part = client()
            .get(&url)
            .header("range", &range)
            .send()
            .await
            .expect("answer");
        assert_eq!(part.status(), 206, "{range}");
        assert_eq!(
            part.headers()["content-range"],
            format!("bytes {start}-{end}/{len}")
        );
        assert_eq!(
            part.headers()["content-length"],
            (end - start + 1).to_string()
        );
        let bytes = part.bytes().await.expect("bytes");
        assert_eq!(&bytes[..], &whole[start as usize..=end as usize]);
    }
    let past = client()
        .get(&url)
        .header("range", format!("bytes={len}-"))
        .send()
        .await
        .expect("answer");
    assert_eq!(past.status(), 416);
    assert_eq!(past.headers()["content-range"], format!("bytes */{len}"));
}

#[tokio::test]
async fn openrouter_content_honours_ranges() {
    let emulator = start().await;
    let body = json!({"model":"minimax/hailuo-2.3","prompt":"A kite","resolution":"768p"});
    let (_, answer) = post_json(&emulator, Service::OpenRouter, "/videos", &body).await;
    let id = answer["id"].as_str().expect("id").to_string();
    emulator.finish_task_now(&id);
    let part = authed(
        &emulator,
        Service::OpenRouter,
        reqwest::Method::GET,
        &format!("/videos/{id}/content?index=0"),
    )
    .header("range", "bytes=0-7")
    .send()
    .await
    .expect("answer");
    assert_eq!(part.status(), 206);
    let bytes = part.bytes().await.expect("bytes");
    assert_eq!(&bytes[4..8], b"ftyp");
}

#[tokio::test]
async fn a_padded_video_has_the_asked_size_and_is_still_a_valid_h264_mp4() {
    let target = 3_000_000;
    let emulator = start_with(EmulatorConfig {
        pad_videos_to: Some(target),
        ..EmulatorConfig::default()
    })
    .await;
    let file_id = finished_file(&emulator).await;
    let (_, answer) = get_json(
        &emulator,
        GLOBAL,
        &format!("/v1/files/retrieve?file_id={file_id}"),
    )
    .await;
    assert_eq!(answer["file"]["bytes"], target);
    let url = answer["file"]["download_url"].as_str().expect("url");
    let video = client().get(url).send().await.expect("answer");
    assert_eq!(video.headers()["content-length"], target.to_string());
    let bytes = video.bytes().await.expect("bytes");
    assert_eq!(bytes.len() as u64, target);
    assert_eq!(h264_size(&bytes), Some((1366, 768)));
    let (kind, size) = last_box(&bytes).expect("boxes");
    assert_eq!(kind, "free");
    assert!(size > 2_000_000);

    let clip = emulator.clip(1366, 768).await.expect("clip");
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(&clip.path)
        .output();
    if let Ok(probe) = probe {
        assert_eq!(
            String::from_utf8_lossy(&probe.stdout).trim(),
            "h264,1366,768"
        );
    }
}
