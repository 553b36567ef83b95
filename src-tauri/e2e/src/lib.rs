//! The GUI end-to-end harness: launches the real Hailuo Studio binary in the desktop session that
//! `scripts/test.sh` creates, drives it over WebDriver and checks what the creator would see.
//!
//! ```no_run
//! # async fn demo() {
//! let app = hailuo_e2e::App::launch("a_first_run_shows_the_welcome_screen")
//!     .env("HAILUO_STUDIO_OPENROUTER_BASE_URL", "http://127.0.0.1:4010/api/v1")
//!     .start()
//!     .await;
//! app.wait_ready().await;
//! app.screen("welcome").await;
//! app.close().await;
//! # }
//! ```

mod app;
mod desktop;
mod driver;
mod process;
mod screens;
mod session;

pub use app::{App, Launch};
pub use desktop::{require_desktop_session, Desktop, MissingPiece, TEST_SESSION_ENV};
pub use screens::{judge_screenshot, ScreenProblem, Screenshot};
