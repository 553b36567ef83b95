// Tells the GUI suite whether the app lists the generation commands yet (src-tauri/build.rs is
// the app's command list), so the test that generates is compiled in only once they exist, and
// until then is reported as ignored, never as passed.

fn main() {
    let app_build = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build.rs");
    println!("cargo:rerun-if-changed={}", app_build.display());
    println!("cargo::rustc-check-cfg=cfg(generation_commands)");
    let listed = std::fs::read_to_string(&app_build).unwrap_or_default();
    if ["start_generation", "watch_generations"]
        .iter()
        .all(|command| listed.contains(&format!("\"{command}\"")))
    {
        println!("cargo:rustc-cfg=generation_commands");
    }
}
