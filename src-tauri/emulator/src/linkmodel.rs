//! LinkModel's Hailuo 2.3 API: submit with its price, and the query with `message` and `file_url`.

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
use crate::config::{LinkModelErrorStatus, LinkModelVideoField};
use crate::frame;
use crate::record::PlannedFailure;
use crate::shared::{lock, Shared};
use crate::tasks::TaskStatus;

pub(crate) const MODEL: &str = "MiniMax-Hailuo-2.3";

pub(crate) fn router(api: Api) -> Router {
    Router::new()
        .route("/api/v1/video-generation", post(submit))
        .route("/api/v1/query/video-generation", get(query))
        .with_state(api)
}

/// LinkModel's error: `{code, msg, request_id}` (and `data: {}` on auth errors), sent with the
/// HTTP status equal to `code` or with HTTP 200, as configured.
pub(crate) fn error(shared: &Shared, code: i64, msg: &str, with_data: bool) -> Response {
    let status = match shared.config.linkmodel_error_status {
        LinkModelErrorStatus::Always200 => StatusCode::OK,
        LinkModelErrorStatus::SameAsCode => u16::try_from(code)
            .ok()
            .and_then(|code| StatusCode::from_u16(code).ok())
            .unwrap_or(StatusCode::OK),
    };
    let mut body = json!({ "code": code, "msg": msg, "request_id": shared.uuid() });
    if with_data {
        body["data"] = json!({});
    }
    (status, Json(body)).into_response()
}

fn auth_error(api: &Api, headers: &HeaderMap) -> Option<Response> {
    match api.auth(headers) {
        Auth::Valid => None,
        Auth::Missing | Auth::Wrong { .. } => {
            Some(error(&api.shared, 401, "invalid api key", true))
        }
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
        Err(reason) => return error(&api.shared, 400, &reason, false),
    };
    let task = api.create_task(spec, planned.map(|Extension(p)| p));
    Json(json!({
        "code": 0,
        "data": {
            "task_id": task.id,
            "order_id": api.shared.uuid(),
            "status": "processing",
            "price": task.cost,
        },
        "msg": "success",
        "request_id": api.shared.uuid(),
    }))
    .into_response()
}

fn validate(api: &Api, body: &[u8]) -> Result<TaskSpec, String> {
    let config = &api.shared.config;
    let body = api::json_object(body)?;
    let model = api::string_field(&body, "model")?.ok_or("model is required")?;
    if model != MODEL {
        return Err(format!("model {model} is not supported"));
    }
    api::prompt_rule(api::string_field(&body, "prompt")?, true)?;
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
    let first_frame = match api::string_field(&body, "first_frame_image")? {
        None => None,
        Some(url) if url.starts_with("data:") && !config.linkmodel_accepts_data_urls => {
            return Err("first_frame_image must be an image URL".into())
        }
        Some(url) => Some(frame::inspect(url, config.linked_first_frame_size)?),
    };
    let prices = config.linkmodel_prices;
    let cost = match (short_side, duration) {
        (1080, _) => prices.p1080_6s,
        (_, 10) => prices.p768_10s,
        _ => prices.p768_6s,
    };
    Ok(TaskSpec {
        size: output_size(short_side, first_frame),
        duration,
        model: model.to_string(),
        cost,
    })
}

#[derive(Debug, Deserialize)]
struct TaskQuery {
    task_id: Option<String>,
}

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Preparing | TaskStatus::Queueing => "Pending",
        TaskStatus::Processing => "Processing",
        TaskStatus::Success => "Success",
        TaskStatus::Failed | TaskStatus::Expired => "Failed",
        TaskStatus::Cancelled => "Cancelled",
    }
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
        return error(&api.shared, 400, "task_id is required", false);
    };
    let timing = api.shared.config.timing;
    let seen = lock(&api.shared.tasks)
        .get_mut(api.service, &task_id)
        .map(|task| (task.observe(timing, true), task.clone()));
    let Some((status, task)) = seen else {
        return error(&api.shared, 404, "task not found", false);
    };
    let mut data = json!({
        "task_id": task.id,
        "status": status_name(status),
        "model": task.model,
        "duration": task.duration,
        "msg": "",
    });
    match status {
        TaskStatus::Success => {
            let url = file_url(&api, &task.id, task.file_id, task.file_url.clone());
            match api.shared.config.linkmodel_video_field {
                LinkModelVideoField::FileUrl => data["file_url"] = json!(url),
                LinkModelVideoField::OutputVideosOnly => data["output_videos"] = json!([url]),
                LinkModelVideoField::Both => {
                    data["file_url"] = json!(url);
                    data["output_videos"] = json!([url]);
                }
            }
        }
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            let failure = task.failure.unwrap_or_else(crate::tasks::Failure::generic);
            data["msg"] = Value::String(failure.message);
        }
        TaskStatus::Preparing | TaskStatus::Queueing | TaskStatus::Processing => {}
    }
    Json(json!({
        "code": 0,
        "data": data,
        "message": "success",
        "request_id": api.shared.uuid(),
    }))
    .into_response()
}

/// The task's CDN link, minted the first time it is reported finished and then kept (it
/// expires after the configured TTL, like the real ~48 h link).
fn file_url(api: &Api, task_id: &str, file_id: u64, existing: Option<String>) -> String {
    if let Some(url) = existing {
        return url;
    }
    let url = api.shared.mint_link(
        api.service,
        task_id,
        file_id,
        cdn::file_name(api.service),
        api.shared.config.linkmodel_link_ttl,
    );
    let mut tasks = lock(&api.shared.tasks);
    match tasks.get_mut(api.service, task_id) {
        Some(task) => task.file_url.get_or_insert(url).clone(),
        None => url,
    }
}
