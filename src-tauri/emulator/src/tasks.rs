//! Generation tasks and their lifecycle: Preparing → Queueing → Processing → an outcome.

use std::collections::HashMap;

use tokio::time::Instant;

use crate::config::TaskTiming;
use crate::Service;

/// Where a task stands, in the emulator's own words; each service spells it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Preparing,
    Queueing,
    Processing,
    Success,
    Failed,
    Cancelled,
    /// OpenRouter only; MiniMax and LinkModel show it as a failure.
    Expired,
}

impl TaskStatus {
    pub fn is_terminal(self) -> bool {
        !matches!(
            self,
            TaskStatus::Preparing | TaskStatus::Queueing | TaskStatus::Processing
        )
    }
}

/// Why a task failed: MiniMax's status code and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: i64,
    pub message: String,
}

impl Failure {
    pub(crate) fn generic() -> Self {
        Self {
            code: 1000,
            message: "video generation failed".into(),
        }
    }
}

/// One generation a service accepted.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub service: Service,
    pub id: String,
    /// MiniMax's file id, also used to name the video on the CDN.
    pub file_id: u64,
    pub created: Instant,
    pub created_unix: u64,
    pub polls: u32,
    /// Set by tests (`finish_task_now`, `fail_task`, `set_task_status`): overrides the clock.
    pub pinned: Option<TaskStatus>,
    /// How the task ends when its stages run out.
    pub planned_failure: Option<Failure>,
    /// The reason reported for Failed, Cancelled or Expired.
    pub failure: Option<Failure>,
    pub size: (u32, u32),
    pub duration: u8,
    pub model: String,
    /// OpenRouter's `usage.cost` or LinkModel's `price`.
    pub cost: f64,
    pub charged: bool,
    pub generation_id: String,
    /// LinkModel's link, minted when the task is first seen finished.
    pub file_url: Option<String>,
}

impl Task {
    /// The status a poll sees now; counts the poll when `is_poll`.
    pub(crate) fn observe(&mut self, timing: TaskTiming, is_poll: bool) -> TaskStatus {
        let status = self.status(timing);
        if is_poll {
            self.polls = self.polls.saturating_add(1);
        }
        if status.is_terminal() && self.failure.is_none() && status != TaskStatus::Success {
            self.failure = Some(
                self.planned_failure
                    .clone()
                    .unwrap_or_else(Failure::generic),
            );
        }
        status
    }

    fn status(&self, timing: TaskTiming) -> TaskStatus {
        if let Some(pinned) = self.pinned {
            return pinned;
        }
        let stage = match timing {
            TaskTiming::Elapsed { per_stage } => {
                let per_stage = per_stage.as_nanos().max(1);
                self.created.elapsed().as_nanos() / per_stage
            }
            TaskTiming::Polls { per_stage } => u128::from(self.polls / per_stage.max(1)),
        };
        match stage {
            0 => TaskStatus::Preparing,
            1 => TaskStatus::Queueing,
            2 => TaskStatus::Processing,
            _ if self.planned_failure.is_some() => TaskStatus::Failed,
            _ => TaskStatus::Success,
        }
    }
}

/// Every task of every service, by id.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    by_id: HashMap<String, Task>,
    order: Vec<String>,
}

impl Tasks {
    pub(crate) fn insert(&mut self, task: Task) {
        self.order.push(task.id.clone());
        self.by_id.insert(task.id.clone(), task);
    }

    /// A task of `service` (a MiniMax task is unknown on the other region's host).
    pub(crate) fn get_mut(&mut self, service: Service, id: &str) -> Option<&mut Task> {
        self.by_id
            .get_mut(id)
            .filter(|task| task.service == service)
    }

    pub(crate) fn by_file_id(&mut self, service: Service, file_id: u64) -> Option<&mut Task> {
        self.by_id
            .values_mut()
            .find(|task| task.service == service && task.file_id == file_id)
    }

    pub(crate) fn any_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.by_id.get_mut(id)
    }

    pub(crate) fn ids(&self, service: Service) -> Vec<String> {
        self.order
            .iter()
            .filter(|id| self.by_id.get(*id).is_some_and(|t| t.service == service))
            .cloned()
            .collect()
    }

    pub(crate) fn count(&self, service: Service) -> usize {
        self.by_id.values().filter(|t| t.service == service).count()
    }
}
