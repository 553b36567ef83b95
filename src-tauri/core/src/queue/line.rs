//! The local line: per provider, how many generations may be at the provider at once, and who is next.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::library::GenerationId;

/// One provider's line. A generation holds a [`Slot`] from its submit until the provider has
/// finished with it; the others wait in the order they joined.
#[derive(Debug)]
pub(crate) struct Line {
    limit: usize,
    state: Mutex<LineState>,
}

#[derive(Debug, Default)]
struct LineState {
    busy: usize,
    waiting: VecDeque<(GenerationId, oneshot::Sender<Slot>)>,
}

/// A place at the provider. Dropping it lets the next one in the line go.
#[derive(Debug)]
pub(crate) struct Slot {
    line: Option<Arc<Line>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(line) = self.line.take() {
            line.lock().busy -= 1;
            line.pump();
        }
    }
}

impl Line {
    pub(crate) fn new(limit: usize) -> Arc<Self> {
        Arc::new(Line {
            limit: limit.max(1),
            state: Mutex::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, LineState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Joins the end of the line; the receiver gets a slot when this generation's turn comes.
    pub(crate) fn join(self: &Arc<Self>, id: GenerationId) -> oneshot::Receiver<Slot> {
        let (turn, comes) = oneshot::channel();
        self.lock().waiting.push_back((id, turn));
        self.pump();
        comes
    }

    /// A slot taken at once, for a generation that is already at the provider (after a restart).
    pub(crate) fn occupy(self: &Arc<Self>) -> Slot {
        self.lock().busy += 1;
        Slot {
            line: Some(self.clone()),
        }
    }

    /// Leaves the line without a slot (the creator stopped a waiting generation).
    pub(crate) fn leave(&self, id: &GenerationId) {
        self.lock().waiting.retain(|(waiting, _)| waiting != id);
    }

    /// How many generations are ahead of `id`, if it is waiting.
    pub(crate) fn ahead_of(&self, id: &GenerationId) -> Option<usize> {
        self.lock()
            .waiting
            .iter()
            .position(|(waiting, _)| waiting == id)
    }

    /// Hands free slots to the front of the line.
    fn pump(self: &Arc<Self>) {
        loop {
            let turn = {
                let mut state = self.lock();
                if state.busy >= self.limit {
                    return;
                }
                let Some((_, turn)) = state.waiting.pop_front() else {
                    return;
                };
                state.busy += 1;
                turn
            };
            let slot = Slot {
                line: Some(self.clone()),
            };
            if let Err(mut unclaimed) = turn.send(slot) {
                // That generation is gone: its place goes to the next one.
                unclaimed.line = None;
                self.lock().busy -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_lets_in_only_the_limit_and_then_in_order() {
        let line = Line::new(2);
        let ids: Vec<GenerationId> = (0..4).map(|_| GenerationId::new()).collect();
        let mut turns: Vec<_> = ids.iter().map(|id| line.join(id.clone())).collect();
        let first = turns[0].try_recv().unwrap();
        let _second = turns[1].try_recv().unwrap();
        assert!(turns[2].try_recv().is_err());
        assert_eq!(line.ahead_of(&ids[3]), Some(1));
        drop(first);
        let _third = turns[2].try_recv().unwrap();
        assert!(turns[3].try_recv().is_err());
    }

    #[test]
    fn a_generation_that_left_the_line_gives_its_turn_to_the_next() {
        let line = Line::new(1);
        let held = line.occupy();
        let a = GenerationId::new();
        let b = GenerationId::new();
        let turn_a = line.join(a.clone());
        let mut turn_b = line.join(b);
        line.leave(&a);
        drop(turn_a);
        drop(held);
        assert!(turn_b.try_recv().is_ok());
    }
}
