//! Faults a test queues to make a service misbehave, and the queue that hands them out.

use std::time::Duration;

use serde_json::{json, Value};

use crate::Service;

/// Which call of a service a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// MiniMax `POST /v1/video_generation`, OpenRouter `POST /videos`,
    /// LinkModel `POST /video-generation`.
    Submit,
    /// The status poll of each service.
    Query,
    /// MiniMax `GET /v1/files/retrieve`.
    Retrieve,
    /// The video bytes: the CDN link of MiniMax and LinkModel, OpenRouter's content endpoint.
    Download,
    /// MiniMax `GET /v1/files/retrieve_content`: the file itself, with the key.
    RetrieveContent,
    /// OpenRouter `GET /key`.
    Key,
    /// Any call of the service.
    Any,
}

impl Endpoint {
    fn covers(self, endpoint: Endpoint) -> bool {
        self == Endpoint::Any || self == endpoint
    }
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// HTTP 429 in the service's error shape, with `Retry-After` when given.
    TooManyRequests { retry_after_secs: Option<u64> },
    /// HTTP 500/502/503… in the service's error shape, with `Retry-After` when given.
    ServerError {
        status: u16,
        retry_after_secs: Option<u64>,
    },
    /// MiniMax: HTTP 200 with `base_resp.status_code = code` (1002, 1004, 1008, 1026, 2013,
    /// 2049, 2056…). No task is created.
    MinimaxStatus { code: i64, message: String },
    /// LinkModel: a non-zero `code` with `msg`, sent with the configured HTTP status rule.
    LinkModelCode { code: i64, msg: String },
    /// OpenRouter: HTTP `status` with `{error:{code,message,metadata}}`.
    OpenRouterError {
        status: u16,
        message: String,
        metadata: Option<Value>,
    },
    /// On submit: the task is created and accepted, and later ends failed with this code and
    /// reason (MiniMax 1027: the generated video was flagged).
    TaskFails { code: i64, message: String },
    /// The answer comes after this delay.
    Slow { delay: Duration },
    /// The connection drops after this many body bytes.
    DropAfter { bytes: u64 },
    /// `Content-Length` announces the whole body but only this many bytes come.
    Truncated { bytes: u64 },
    /// The whole body comes, but at this many bytes a second (a slow link): a download long
    /// enough to be interrupted on purpose.
    Throttled { bytes_per_second: u64 },
    /// HTTP 200, `application/json`, and a body that is not valid JSON.
    BrokenJson,
    /// An HTML error page from a proxy in front of the service.
    HtmlErrorPage { status: u16 },
    /// Any other answer, sent as given with `Content-Type: application/json` (e.g. MiniMax's
    /// `status_code` 0 with an empty `task_id`).
    Custom { status: u16, body: String },
    /// The call does its work (a submit creates its task, which counts in `submits()`), but
    /// the answer comes only after `after`, or never (until the emulator stops) when `None`.
    AnswerLost { after: Option<Duration> },
}

impl FaultKind {
    /// MiniMax 1002: rate limited.
    pub fn minimax_rate_limited() -> Self {
        Self::MinimaxStatus {
            code: 1002,
            message: "rate limit exceeded(RPM)".into(),
        }
    }

    /// MiniMax 1008: the account has no balance left.
    pub fn minimax_insufficient_balance() -> Self {
        Self::MinimaxStatus {
            code: 1008,
            message: "insufficient balance".into(),
        }
    }

    /// MiniMax 1026 on submit: the prompt or picture was flagged.
    pub fn minimax_prompt_flagged() -> Self {
        Self::MinimaxStatus {
            code: 1026,
            message: "input new_sensitive".into(),
        }
    }

    /// MiniMax 1027 on submit: the task runs, then ends `Fail` because the video was flagged.
    pub fn minimax_video_flagged() -> Self {
        Self::TaskFails {
            code: 1027,
            message: "output new_sensitive".into(),
        }
    }

    /// MiniMax 2056: the plan's usage limit is reached.
    pub fn minimax_plan_limit() -> Self {
        Self::MinimaxStatus {
            code: 2056,
            message: "usage limit exceeded".into(),
        }
    }

    /// LinkModel's documented billing failure.
    pub fn linkmodel_insufficient_balance() -> Self {
        Self::LinkModelCode {
            code: 500,
            msg: "create task failed: billing: code=100601: insufficient balance".into(),
        }
    }

    /// OpenRouter 402: out of credits.
    pub fn openrouter_insufficient_credits() -> Self {
        Self::OpenRouterError {
            status: 402,
            message: "Insufficient credits. Add more using https://openrouter.ai/settings/credits"
                .into(),
            metadata: None,
        }
    }

    /// OpenRouter 403: the input was flagged by moderation, with its reasons.
    pub fn openrouter_moderation(reasons: &[&str]) -> Self {
        Self::OpenRouterError {
            status: 403,
            message: "Your input was flagged by moderation".into(),
            metadata: Some(json!({ "reasons": reasons, "provider_name": "Minimax" })),
        }
    }
}

/// A queued fault: hits `times` matching calls, then is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `None` hits every service.
    pub service: Option<Service>,
    pub endpoint: Endpoint,
    pub kind: FaultKind,
    pub times: u32,
}

impl Fault {
    /// A one-shot fault on one endpoint of one service.
    pub fn new(service: Service, endpoint: Endpoint, kind: FaultKind) -> Self {
        Self {
            service: Some(service),
            endpoint,
            kind,
            times: 1,
        }
    }

    /// A one-shot fault on an endpoint of every service.
    pub fn everywhere(endpoint: Endpoint, kind: FaultKind) -> Self {
        Self {
            service: None,
            endpoint,
            kind,
            times: 1,
        }
    }

    /// Hits the next `times` matching calls instead of one.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }
}

/// Faults waiting for their calls, first queued first served.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    waiting: Vec<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.waiting.push(fault);
        }
    }

    pub(crate) fn take(
        &mut self,
        service: Option<Service>,
        endpoint: Endpoint,
    ) -> Option<FaultKind> {
        let index = self.waiting.iter().position(|fault| {
            fault.endpoint.covers(endpoint) && (fault.service.is_none() || fault.service == service)
        })?;
        let fault = &mut self.waiting[index];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            self.waiting.remove(index);
        }
        Some(kind)
    }

    pub(crate) fn pending(&self) -> usize {
        self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_hits_only_its_service_and_endpoint_and_only_as_often_as_asked() {
        let mut queue = FaultQueue::default();
        queue
            .push(Fault::new(Service::OpenRouter, Endpoint::Query, FaultKind::BrokenJson).times(2));
        assert_eq!(queue.take(Some(Service::LinkModel), Endpoint::Query), None);
        assert_eq!(
            queue.take(Some(Service::OpenRouter), Endpoint::Submit),
            None
        );
        assert_eq!(
            queue.take(Some(Service::OpenRouter), Endpoint::Query),
            Some(FaultKind::BrokenJson)
        );
        assert_eq!(
            queue.take(Some(Service::OpenRouter), Endpoint::Query),
            Some(FaultKind::BrokenJson)
        );
        assert_eq!(queue.take(Some(Service::OpenRouter), Endpoint::Query), None);
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn faults_are_served_in_the_order_they_were_queued() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::everywhere(Endpoint::Any, FaultKind::BrokenJson));
        queue.push(Fault::everywhere(
            Endpoint::Any,
            FaultKind::HtmlErrorPage { status: 502 },
        ));
        assert_eq!(
            queue.take(Some(Service::MinimaxChina), Endpoint::Retrieve),
            Some(FaultKind::BrokenJson)
        );
        assert_eq!(
            queue.take(None, Endpoint::Download),
            Some(FaultKind::HtmlErrorPage { status: 502 })
        );
    }
}
