//! How the window's web view draws on Linux machines that have no graphics card.

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's switch for its DMA-BUF renderer.
const DMABUF_SWITCH: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// On a Linux machine without a GPU render node, WebKitGTK's DMA-BUF renderer draws through
/// Mesa's software GL and keeps about 95 MiB more in the web process than its older renderer,
/// which draws the same page (BENCHMARKS.md). The creator's own setting of the switch wins.
/// Call before any thread starts: it sets an environment variable WebKit reads at start.
pub fn choose_renderer() {
    if cfg!(target_os = "linux")
        && light_renderer_wanted(
            std::env::var_os(DMABUF_SWITCH),
            &render_nodes(Path::new("/dev/dri")),
        )
    {
        std::env::set_var(DMABUF_SWITCH, "1");
    }
}

/// Whether the app turns the DMA-BUF renderer off: only when nobody chose already and the
/// machine has no render node to draw with.
fn light_renderer_wanted(already_chosen: Option<OsString>, render_nodes: &[OsString]) -> bool {
    already_chosen.is_none() && render_nodes.is_empty()
}

/// The GPU render nodes (`renderD128`, …) in `dri`; none when the folder is missing.
fn render_nodes(dri: &Path) -> Vec<OsString> {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name())
                .filter(|name| name.to_string_lossy().starts_with("renderD"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_without_a_render_node_gets_the_lighter_renderer() {
        assert!(light_renderer_wanted(None, &[]));
    }

    #[test]
    fn a_machine_with_a_gpu_keeps_webkits_own_choice() {
        assert!(!light_renderer_wanted(None, &["renderD128".into()]));
    }

    #[test]
    fn the_creators_own_setting_wins_either_way() {
        assert!(!light_renderer_wanted(Some("0".into()), &[]));
        assert!(!light_renderer_wanted(
            Some("1".into()),
            &["renderD128".into()]
        ));
    }

    #[test]
    fn only_render_nodes_count_as_a_gpu() {
        let dri = std::env::temp_dir().join(format!("hailuo-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        assert!(
            render_nodes(&dri).is_empty(),
            "card0 alone is a display, not a render node"
        );
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert_eq!(render_nodes(&dri), vec![OsString::from("renderD128")]);
        std::fs::remove_dir_all(&dri).unwrap();
        assert!(
            render_nodes(&dri).is_empty(),
            "a missing /dev/dri means no GPU"
        );
    }
}
