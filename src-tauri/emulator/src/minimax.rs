//! MiniMax direct (global and China hosts): submit, query, retrieve, in MiniMax's wire shapes.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{self, Api, Auth, TaskSpec};
use crate::cdn;
use crate::clips::output_size;
use crate::config::MinimaxFailReason;
use crate::frame;
use crate::record::PlannedFailure;
use crate::shared::lock;
use crate::tasks::{Task, TaskStatus};

pub(crate) const MODEL: &str = "MiniMax-Hailuo-2.3";
pub(crate) const FAST_MODEL: &str = "MiniMax-Hailuo-2.3-Fast";

/// USD list prices (providers.md, Prices); the China host's CNY prices.
fn price(service_is_china: bool, fast: bool, duration: u8, short_side: u32) -> f64 {
    match (service_is_china, fast, duration, short_side) {
        (false, false, 10, _) => 0.56,
        (false, false, _, 1080) => 0.49,
        (false, false, _, _) => 0.28,
        (false, true, 10, _) => 0.32,
        (false, true, _, 1080) => 0.33,
        (false, true, _, _) => 0.19,
        (true, false, 10, _) => 4.00,
        (true, false, _, 1080) => 3.50,
        (true, false, _, _) => 2.00,
        (true, true, 10, _) => 2.25,
        (true, true, _, 1080) => 2.31,
        (true, true, _, _) => 1.35,
    }
}

pub(crate) fn router(api: Api) -> Router {
    Router::new()
        .route("/v1/video_generation", post(submit))
        .route("/v1/query/video_generation", get(query))
        .route("/v1/files/retrieve", get(retrieve))
        .route("/v1/files/retrieve_content", get(retrieve_content))
        .with_state(api)
}

/// MiniMax's error: HTTP 200 with a non-zero `base_resp.status_code`.
pub(crate) fn error(code: i64, message: &str) -> Response {
    Json(json!({ "base_resp": { "status_code": code, "status_msg": message } })).into_response()
}

fn ok() -> Value {
    json!({ "status_code": 0, "status_msg": "success" })
}

fn invalid(reason: &str) -> Response {
    error(2013, &format!("invalid params, {reason}"))
}

fn auth_error(api: &Api, headers: &HeaderMap) -> Option<Response> {
    match api.auth(headers) {
        Auth::Valid => None,
        Auth::Missing => Some(error(
            1004,
            "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
        )),
        Auth::Wrong { .. } => Some(error(2049, "invalid api key")),
    }
}

async fn submit(
    State(api): State<Api>,
    headers: HeaderMap,
    planned: Option<Extension<PlannedFailure>>,
    body: Bytes,
) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let spec = match validate(&api, &body) {
        Ok(spec) => spec,
        Err(reason) => return invalid(&reason),
    };
    let task = api.create_task(spec, planned.map(|Extension(p)| p));
    Json(json!({ "task_id": task.id, "base_resp": ok() })).into_response()
}

fn validate(api: &Api, body: &[u8]) -> Result<TaskSpec, String> {
    let body = api::json_object(body)?;
    let model = api::string_field(&body, "model")?.ok_or("model is required")?;
    if model != MODEL && model != FAST_MODEL {
        return Err(format!("model {model} is not supported"));
    }
    let fast = model == FAST_MODEL;
    let first_frame = api::string_field(&body, "first_frame_image")?
        .map(|url| frame::inspect(url, api.shared.config.linked_first_frame_size))
        .transpose()?;
    if fast && first_frame.is_none() {
        return Err(format!(
            "{FAST_MODEL} only supports image to video, first_frame_image is required"
        ));
    }
    api::prompt_rule(api::string_field(&body, "prompt")?, first_frame.is_none())?;
    let duration = api::duration_field(&body)?;
    let short_side = match api::string_field(&body, "resolution")? {
        None | Some("768P") => 768,
        Some("1080P") => 1080,
        Some(other) => {
            return Err(format!(
                "resolution {other} is not supported, use 768P or 1080P"
            ))
        }
    };
    if short_side == 1080 && duration != 6 {
        return Err("1080P only supports a duration of 6 seconds".into());
    }
    for flag in ["prompt_optimizer", "fast_pretreatment", "aigc_watermark"] {
        api::bool_field(&body, flag)?;
    }
    api::string_field(&body, "callback_url")?;
    Ok(TaskSpec {
        size: output_size(short_side, first_frame),
        duration,
        model: model.to_string(),
        cost: price(
            api.service == crate::Service::MinimaxChina,
            fast,
            duration,
            short_side,
        ),
    })
}

#[derive(Debug, Deserialize)]
struct TaskQuery {
    task_id: Option<String>,
}

async fn query(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(params): Query<TaskQuery>,
) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let Some(task_id) = params.task_id.filter(|id| !id.is_empty()) else {
        return invalid("task_id is required");
    };
    let timing = api.shared.config.timing;
    let seen = lock(&api.shared.tasks)
        .get_mut(api.service, &task_id)
        .map(|task| (task.observe(timing, true), task.clone()));
    let Some((status, task)) = seen else {
        return invalid("task not found");
    };
    match status {
        TaskStatus::Success => Json(json!({
            "task_id": task.id,
            "status": "Success",
            "file_id": task.file_id.to_string(),
            "video_width": task.size.0,
            "video_height": task.size.1,
            "base_resp": ok(),
        }))
        .into_response(),
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            let failure = task.failure.unwrap_or_else(crate::tasks::Failure::generic);
            let in_base_resp =
                json!({ "status_code": failure.code, "status_msg": failure.message });
            let answer = match api.shared.config.minimax_fail_reason {
                MinimaxFailReason::BaseResp => {
                    json!({ "task_id": task.id, "status": "Fail", "base_resp": in_base_resp })
                }
                MinimaxFailReason::ErrorMessage => json!({
                    "task_id": task.id, "status": "Fail",
                    "error_message": failure.message, "base_resp": ok(),
                }),
                MinimaxFailReason::Both => json!({
                    "task_id": task.id, "status": "Fail",
                    "error_message": failure.message, "base_resp": in_base_resp,
                }),
            };
            Json(answer).into_response()
        }
        TaskStatus::Preparing | TaskStatus::Queueing | TaskStatus::Processing => Json(json!({
            "task_id": task.id,
            "status": status_name(status),
            "base_resp": ok(),
        }))
        .into_response(),
    }
}

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Preparing => "Preparing",
        TaskStatus::Queueing => "Queueing",
        TaskStatus::Processing => "Processing",
        TaskStatus::Success => "Success",
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => "Fail",
    }
}

#[derive(Debug, Deserialize)]
struct FileQuery {
    file_id: Option<String>,
}

async fn retrieve(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(params): Query<FileQuery>,
) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let task = match finished_task(&api, params.file_id.as_deref()) {
        Ok(task) => task,
        Err(why) => return invalid(why),
    };
    let clip = match api.shared.clips.get(task.size.0, task.size.1).await {
        Ok(clip) => clip,
        Err(error) => return cdn::clip_failure(&error),
    };
    let filename = cdn::file_name(api.service);
    let download_url = api.shared.mint_link(
        api.service,
        &task.id,
        task.file_id,
        filename,
        api.shared.config.minimax_link_ttl,
    );
    Json(json!({
        "file": {
            "file_id": task.file_id,
            "bytes": clip.len,
            "created_at": task.created_unix,
            "filename": filename,
            "purpose": "video_generation",
            "download_url": download_url,
        },
        "base_resp": ok(),
    }))
    .into_response()
}

/// The finished task that made file `file_id`, or why there is none (MiniMax's words).
fn finished_task(api: &Api, file_id: Option<&str>) -> Result<Task, &'static str> {
    let Some(file_id) = file_id.and_then(|id| id.parse::<u64>().ok()) else {
        return Err("file_id is required");
    };
    let timing = api.shared.config.timing;
    lock(&api.shared.tasks)
        .by_file_id(api.service, file_id)
        .and_then(|task| (task.observe(timing, false) == TaskStatus::Success).then(|| task.clone()))
        .ok_or("file not found")
}

/// The file itself, with the key: MiniMax's second download path (when switched on).
async fn retrieve_content(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(params): Query<FileQuery>,
) -> Response {
    if !api.shared.config.minimax_retrieve_content {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let task = match finished_task(&api, params.file_id.as_deref()) {
        Ok(task) => task,
        Err(why) => return invalid(why),
    };
    match api.shared.clips.get(task.size.0, task.size.1).await {
        Ok(clip) => cdn::serve_file(&clip, &headers).await,
        Err(error) => cdn::clip_failure(&error),
    }
}
