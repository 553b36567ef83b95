//! Serves a library folder on the loopback media server and prints each video's URL, for
//! trying the player (or a browser) against real files.
//!
//! `cargo run -p hailuo-core --example serve_library -- <library folder>`; stop with Ctrl-C.
#![allow(clippy::expect_used)] // a tool that cannot start should stop loudly

use hailuo_core::library::Library;
use hailuo_core::media_server::MediaServer;

#[tokio::main]
async fn main() {
    let root = std::env::args()
        .nth(1)
        .expect("usage: serve_library <library folder>");
    let library = Library::open(&root).expect("the library folder opens");
    let scan = library.scan().expect("the library folder can be read");
    let server = MediaServer::start(library)
        .await
        .expect("the server starts");
    println!("serving {} on {}", root, server.base_url());
    for entry in &scan.generations {
        let urls = server.urls_for(entry);
        println!(
            "{} {}",
            entry.generation.id,
            urls.video.as_deref().unwrap_or("(no video yet)")
        );
    }
    for broken in &scan.broken {
        println!("unreadable: {}: {}", broken.folder.display(), broken.reason);
    }
    let _ = tokio::signal::ctrl_c().await;
    server.stop();
}
