//! OpenRouter's video API: submit (202), poll, content download and the key's credit report.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{self, Api, Auth, TaskSpec};
use crate::cdn;
use crate::clips::output_size;
use crate::config::PollingUrl;
use crate::frame;
use crate::record::PlannedFailure;
use crate::shared::lock;
use crate::tasks::{Task, TaskStatus};

pub(crate) const MODEL: &str = "minimax/hailuo-2.3";
/// The whole submit body must stay within 50 MiB, else 413.
pub(crate) const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

const RESOLUTIONS: [&str; 7] = ["480p", "720p", "768p", "1080p", "1K", "2K", "4K"];
const ASPECT_RATIOS: [&str; 9] = [
    "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21",
];

pub(crate) fn router(api: Api) -> Router {
    Router::new()
        .route("/api/v1/videos", post(submit))
        .route("/api/v1/videos/models", get(catalogue))
        .route("/api/v1/videos/{id}", get(poll))
        .route("/api/v1/videos/{id}/content", get(content))
        .route("/api/v1/key", get(key))
        .with_state(api)
}

/// OpenRouter's error: the HTTP status repeated as `error.code`.
pub(crate) fn error(status: StatusCode, message: &str, metadata: Option<Value>) -> Response {
    let mut error = json!({ "code": status.as_u16(), "message": message });
    if let Some(metadata) = metadata {
        error["metadata"] = metadata;
    }
    (status, Json(json!({ "error": error }))).into_response()
}

fn bad_request(reason: &str) -> Response {
    error(StatusCode::BAD_REQUEST, reason, None)
}

fn auth_error(api: &Api, headers: &HeaderMap) -> Option<Response> {
    let message = match api.auth(headers) {
        Auth::Valid => return None,
        Auth::Missing => "No auth credentials found",
        Auth::Wrong { .. } => "User not found.",
    };
    Some(error(StatusCode::UNAUTHORIZED, message, None))
}

async fn submit(
    State(api): State<Api>,
    headers: HeaderMap,
    planned: Option<Extension<PlannedFailure>>,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body too large: the limit is 50 MiB",
            None,
        );
    }
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let spec = match validate(&api, &body) {
        Ok(spec) => spec,
        Err(reason) => return bad_request(&reason),
    };
    if let Some(limit) = api.shared.config.openrouter_credit_limit {
        let usage = *lock(&api.shared.openrouter_usage);
        if usage + spec.cost > limit + 1e-9 {
            return error(
                StatusCode::PAYMENT_REQUIRED,
                "Key limit exceeded: this request needs more credits than the key has left",
                None,
            );
        }
    }
    let task = api.create_task(spec, planned.map(|Extension(p)| p));
    (
        StatusCode::ACCEPTED,
        Json(json!({
            "id": task.id,
            "polling_url": polling_url(&api, &task.id),
            "status": "pending",
            "generation_id": task.generation_id,
        })),
    )
        .into_response()
}

fn polling_url(api: &Api, id: &str) -> String {
    let path = format!("/api/v1/videos/{id}");
    match api.shared.config.openrouter_polling_url {
        PollingUrl::Relative => path,
        PollingUrl::Absolute => format!("{}{path}", api.shared.origins.of(api.service)),
    }
}

fn validate(api: &Api, body: &[u8]) -> Result<TaskSpec, String> {
    let config = &api.shared.config;
    let body = api::json_object(body)?;
    let model = api::string_field(&body, "model")?.ok_or("model is required")?;
    if model != MODEL {
        return Err(format!("{model} is not a valid model ID"));
    }
    api::prompt_rule(api::string_field(&body, "prompt")?, true)?;
    let duration = api::duration_field(&body)?;
    let resolution = api::string_field(&body, "resolution")?;
    if let Some(resolution) = resolution {
        if !RESOLUTIONS.contains(&resolution) {
            return Err(format!(
                "resolution must be one of {}",
                RESOLUTIONS.join(", ")
            ));
        }
    }
    let size = api::string_field(&body, "size")?;
    let short_side = match (resolution, size) {
        (Some(_), Some(_)) => return Err("give either size or resolution, not both".into()),
        (Some("1080p"), None) | (None, Some("1920x1080")) => 1080,
        (Some("768p"), None) | (None, Some("1366x768")) if config.openrouter_accepts_768p => 768,
        (None, None) if config.openrouter_accepts_768p => 768,
        (None, None) => 1080,
        (Some(other), None) | (None, Some(other)) => {
            return Err(format!("{other} is not supported by {MODEL}"))
        }
    };
    if let Some(aspect) = api::string_field(&body, "aspect_ratio")? {
        if !ASPECT_RATIOS.contains(&aspect) {
            return Err(format!(
                "aspect_ratio must be one of {}",
                ASPECT_RATIOS.join(", ")
            ));
        }
        if aspect != "16:9" {
            return Err(format!("aspect_ratio {aspect} is not supported by {MODEL}"));
        }
    }
    if duration == 10 && short_side == 1080 && !config.openrouter_allows_10s_at_1080p {
        return Err(format!("duration 10 is not supported at 1080p by {MODEL}"));
    }
    let first_frame = first_frame(&body)?
        .map(|url| frame::inspect(url, config.linked_first_frame_size))
        .transpose()?;
    api::bool_field(&body, "generate_audio")?;
    if !matches!(body.get("seed"), None | Some(Value::Null)) && body["seed"].as_i64().is_none() {
        return Err("seed must be an integer".into());
    }
    if !matches!(
        body.get("input_references"),
        None | Some(Value::Null) | Some(Value::Array(_))
    ) {
        return Err("input_references must be an array".into());
    }
    api::string_field(&body, "callback_url")?;
    passthrough(&body, config.openrouter_passthrough_keys.as_deref())?;
    let cost = if duration == 10 {
        config.openrouter_cost_10s
    } else {
        config.openrouter_cost_6s
    };
    Ok(TaskSpec {
        size: output_size(short_side, first_frame),
        duration,
        model: model.to_string(),
        cost,
    })
}

/// `frame_images: [{type:"image_url", image_url:{url}, frame_type:"first_frame"}]`.
fn first_frame(body: &Map<String, Value>) -> Result<Option<&str>, String> {
    let frames = match body.get("frame_images") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(frames)) => frames,
        Some(_) => return Err("frame_images must be an array".into()),
    };
    let mut first = None;
    for frame in frames {
        let shape_error = || {
            "each frame_images item must be {type:\"image_url\", image_url:{url}, frame_type}"
                .to_string()
        };
        if frame.get("type").and_then(Value::as_str) != Some("image_url") {
            return Err(shape_error());
        }
        let url = frame
            .get("image_url")
            .and_then(|image| image.get("url"))
            .and_then(Value::as_str)
            .ok_or_else(shape_error)?;
        match frame.get("frame_type").and_then(Value::as_str) {
            Some("first_frame") if first.is_none() => first = Some(url),
            Some("first_frame") => return Err("only one first_frame is allowed".into()),
            Some("last_frame") => return Err(format!("last_frame is not supported by {MODEL}")),
            _ => return Err("frame_type must be first_frame or last_frame".into()),
        }
    }
    Ok(first)
}

/// `provider.options.minimax.parameters`: which keys are allowed is unknown, so configurable.
fn passthrough(body: &Map<String, Value>, allowed: Option<&[String]>) -> Result<(), String> {
    let Some(parameters) = body
        .get("provider")
        .and_then(|p| p.get("options"))
        .and_then(|o| o.get("minimax"))
        .and_then(|m| m.get("parameters"))
    else {
        return Ok(());
    };
    let Some(parameters) = parameters.as_object() else {
        return Err("provider.options.minimax.parameters must be an object".into());
    };
    if let Some(allowed) = allowed {
        if let Some(key) = parameters.keys().find(|k| !allowed.contains(k)) {
            return Err(format!(
                "provider.options.minimax.parameters.{key} is not allowed"
            ));
        }
    }
    Ok(())
}

/// The status of a task as OpenRouter reports it, charging the key once it completes.
fn observe(api: &Api, id: &str, is_poll: bool) -> Option<(TaskStatus, Task)> {
    let timing = api.shared.config.timing;
    let (status, task, charge) = {
        let mut tasks = lock(&api.shared.tasks);
        let task = tasks.get_mut(api.service, id)?;
        let status = task.observe(timing, is_poll);
        let charge = status == TaskStatus::Success && !task.charged;
        if charge {
            task.charged = true;
        }
        (status, task.clone(), charge)
    };
    if charge {
        *lock(&api.shared.openrouter_usage) += task.cost;
    }
    Some((status, task))
}

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Preparing | TaskStatus::Queueing => "pending",
        TaskStatus::Processing => "in_progress",
        TaskStatus::Success => "completed",
        TaskStatus::Failed => "failed",
        TaskStatus::Cancelled => "cancelled",
        TaskStatus::Expired => "expired",
    }
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Video job not found", None)
}

async fn poll(State(api): State<Api>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let Some((status, task)) = observe(&api, &id, true) else {
        return not_found();
    };
    let mut answer = json!({
        "id": task.id,
        "status": status_name(status),
        "polling_url": polling_url(&api, &task.id),
        "generation_id": task.generation_id,
    });
    match status {
        TaskStatus::Success if api.shared.config.variants.openrouter_result_elsewhere => {
            // Outside storage (a cloud bucket): a signed link on another host, no key needed.
            let link = api.shared.mint_link(
                api.service,
                &task.id,
                task.file_id,
                cdn::file_name(api.service),
                std::time::Duration::from_secs(3600),
            );
            answer["unsigned_urls"] = json!([link]);
            answer["usage"] = json!({ "cost": task.cost, "is_byok": false });
        }
        TaskStatus::Success => {
            answer["unsigned_urls"] = json!([format!(
                "{}/api/v1/videos/{}/content?index=0",
                api.shared.origins.of(api.service),
                task.id
            )]);
            answer["usage"] = json!({ "cost": task.cost, "is_byok": false });
        }
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            let failure = task.failure.unwrap_or_else(crate::tasks::Failure::generic);
            answer["error"] = json!(failure.message);
        }
        TaskStatus::Preparing | TaskStatus::Queueing | TaskStatus::Processing => {}
    }
    Json(answer).into_response()
}

#[derive(Debug, Deserialize)]
struct ContentQuery {
    index: Option<String>,
}

async fn content(
    State(api): State<Api>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<ContentQuery>,
) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let Some((status, task)) = observe(&api, &id, false) else {
        return not_found();
    };
    if status != TaskStatus::Success {
        return error(
            StatusCode::CONFLICT,
            "Video generation is not complete",
            None,
        );
    }
    match params.index.as_deref() {
        None | Some("0") => {}
        Some(other) => {
            return error(
                StatusCode::NOT_FOUND,
                &format!("No video at index {other}"),
                None,
            )
        }
    }
    match api.shared.clips.get(task.size.0, task.size.1).await {
        Ok(clip) => cdn::serve_file(&clip, &headers).await,
        Err(error) => cdn::clip_failure(&error),
    }
}

/// `GET /api/v1/videos/models`: the video catalogue (providers.md, re-check). As seen in July
/// and Sept 2026 Hailuo 2.3 lists `1080p` only; with the variant off, `768p` too.
async fn catalogue(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let resolutions = if api.shared.config.variants.openrouter_catalogue_1080p_only {
        json!(["1080p"])
    } else {
        json!(["768p", "1080p"])
    };
    Json(json!({
        "data": [{
            "id": MODEL,
            "name": "MiniMax: Hailuo 2.3",
            "supported_resolutions": resolutions,
            "supported_aspect_ratios": ["16:9"],
            "supported_sizes": [],
            "supported_durations": [6, 10],
            "supported_frame_images": ["first_frame"],
            "generate_audio": false,
            "seed": false,
            "pricing_skus": {"duration_seconds": "0.0817"},
            "allowed_passthrough_parameters": [],
        }]
    }))
    .into_response()
}

async fn key(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Some(refusal) = auth_error(&api, &headers) {
        return refusal;
    }
    let usage = *lock(&api.shared.openrouter_usage);
    let limit = api.shared.config.openrouter_credit_limit;
    let key = api.shared.config.keys.get(api.service);
    let label: String = key.chars().take(12).collect();
    Json(json!({
        "data": {
            "label": format!("{label}..."),
            "limit": limit,
            "limit_remaining": limit.map(|limit| (limit - usage).max(0.0)),
            "usage": usage,
            "is_free_tier": false,
        }
    }))
    .into_response()
}
