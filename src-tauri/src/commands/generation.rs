//! Commands about composing a generation: what can be chosen, and why not.

use hailuo_core::generation::Choices;
use hailuo_core::GenerationRequest;

/// Every Compose option with whether it is allowed for the request as it stands, and why not.
#[tauri::command]
pub fn generation_choices(request: GenerationRequest) -> Choices {
    request.choices()
}
