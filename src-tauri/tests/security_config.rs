//! The security configuration, tested rather than trusted: the CSP in tauri.conf.json, the
//! capability files, the command list in build.rs and lib.rs, and the UI's own files.
#![allow(clippy::unwrap_used)] // a config file that cannot be read should fail the test loudly

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn tauri_conf() -> Value {
    serde_json::from_str(&read(&crate_dir().join("tauri.conf.json"))).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The content security policy

/// The CSP as directive → sources. tauri.conf.json may write it as one string or as a map.
fn csp_directives(conf: &Value) -> Vec<(String, Vec<String>)> {
    let csp = &conf["app"]["security"]["csp"];
    match csp {
        Value::String(text) => text
            .split(';')
            .filter_map(|directive| {
                let mut words = directive.split_whitespace();
                let name = words.next()?.to_ascii_lowercase();
                Some((name, words.map(str::to_owned).collect()))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(name, sources)| {
                let sources = match sources {
                    Value::String(text) => text.split_whitespace().map(str::to_owned).collect(),
                    Value::Array(list) => list
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect(),
                    other => panic!("CSP directive {name} is neither text nor a list: {other}"),
                };
                (name.to_ascii_lowercase(), sources)
            })
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("the CSP is neither text nor a map: {other}"),
    }
}

fn sources_of<'a>(directives: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
    directives
        .iter()
        .find(|(directive, _)| directive == name)
        .map(|(_, sources)| sources.as_slice())
}

/// What is wrong with the CSP's rules for scripts: remote scripts, `eval`, inline scripts or
/// inline event handlers. Empty when scripts may come only from the app itself.
fn script_policy_problems(directives: &[(String, Vec<String>)]) -> Vec<String> {
    let mut problems = Vec::new();
    // A browser falls back from script-src to default-src; with neither, anything runs.
    let Some(scripts) =
        sources_of(directives, "script-src").or_else(|| sources_of(directives, "default-src"))
    else {
        return vec!["the CSP has neither script-src nor default-src: any script may run".into()];
    };
    let mut lists = vec![("script-src", scripts)];
    for narrower in ["script-src-elem", "script-src-attr"] {
        if let Some(sources) = sources_of(directives, narrower) {
            lists.push((narrower, sources));
        }
    }
    for (directive, sources) in lists {
        for source in sources {
            let plain = source.trim_matches('\'').to_ascii_lowercase();
            let allowed = matches!(source.as_str(), "'self'" | "'none'")
                || ["sha256-", "sha384-", "sha512-", "nonce-"]
                    .iter()
                    .any(|prefix| source.starts_with('\'') && plain.starts_with(prefix));
            if !allowed {
                let why = match plain.as_str() {
                    "unsafe-eval" | "wasm-unsafe-eval" => "lets scripts run eval()",
                    "unsafe-inline" => "lets inline scripts and inline event handlers run",
                    "unsafe-hashes" => "lets inline event handlers run",
                    "strict-dynamic" => "lets scripts load other scripts from anywhere",
                    _ => "lets scripts load from outside the app",
                };
                problems.push(format!("{directive} allows {source}: it {why}"));
            }
        }
    }
    problems
}

/// Sources that reach outside this computer, in any directive.
fn remote_sources(directives: &[(String, Vec<String>)]) -> Vec<String> {
    let local = [
        "'self'",
        "'none'",
        "data:",
        "blob:",
        "ipc:",
        "http://ipc.localhost",
        "tauri:",
        "asset:",
        "http://asset.localhost",
    ];
    let mut remote = Vec::new();
    for (directive, sources) in directives {
        for source in sources {
            let quoted_keyword = source.starts_with('\'');
            let loopback = [
                "http://127.0.0.1:",
                "http://127.0.0.1/",
                "http://localhost:",
            ]
            .iter()
            .any(|prefix| source.starts_with(prefix));
            if !(quoted_keyword || loopback || local.contains(&source.as_str())) {
                remote.push(format!("{directive} {source}"));
            }
        }
    }
    remote
}

fn parse_csp(text: &str) -> Vec<(String, Vec<String>)> {
    csp_directives(&serde_json::json!({ "app": { "security": { "csp": text } } }))
}

#[test]
fn the_csp_lets_scripts_come_only_from_the_app_itself() {
    let directives = csp_directives(&tauri_conf());
    assert!(!directives.is_empty(), "tauri.conf.json sets no CSP at all");
    assert_eq!(script_policy_problems(&directives), Vec::<String>::new());
    for directive in ["default-src", "object-src", "base-uri"] {
        assert!(
            sources_of(&directives, directive).is_some(),
            "the CSP has no {directive}"
        );
    }
}

#[test]
fn the_webview_can_reach_no_outside_host() {
    let directives = csp_directives(&tauri_conf());
    assert_eq!(remote_sources(&directives), Vec::<String>::new());
    // connect-src bounds fetch and XHR; without it default-src must do it.
    assert!(
        sources_of(&directives, "connect-src").is_some()
            || sources_of(&directives, "default-src").is_some(),
        "nothing bounds where the page may connect"
    );
}

#[test]
fn the_csp_checks_catch_eval_inline_handlers_and_remote_scripts() {
    let refused = [
        "default-src 'self'; script-src 'self' 'unsafe-eval'",
        "default-src 'self'; script-src 'self' 'unsafe-inline'",
        "script-src 'self' 'unsafe-hashes' 'sha256-abc'",
        "script-src 'self' https://cdn.example.com",
        "script-src 'self' https:",
        "script-src *",
        "default-src 'self' 'unsafe-inline'",
        "script-src 'self'; script-src-attr 'unsafe-inline'",
        "img-src 'self'",
    ];
    for csp in refused {
        assert!(
            !script_policy_problems(&parse_csp(csp)).is_empty(),
            "a CSP that should be refused passed: {csp}"
        );
    }
    assert_eq!(
        script_policy_problems(&parse_csp(
            "default-src 'self'; script-src 'self' 'sha256-abc='"
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        remote_sources(&parse_csp(
            "default-src 'self'; connect-src ipc: https://api.minimax.io"
        )),
        vec!["connect-src https://api.minimax.io".to_owned()]
    );
    assert_eq!(
        remote_sources(&parse_csp(
            "media-src 'self' http://127.0.0.1:*; img-src data: *"
        )),
        vec!["img-src *".to_owned()]
    );
}

#[test]
fn the_prototype_is_frozen_and_no_csp_is_switched_off() {
    let security = &tauri_conf()["app"]["security"];
    assert_eq!(security["freezePrototype"], Value::Bool(true));
    for risky in [
        "dangerousDisableAssetCspModification",
        "dangerousRemoteDomainIpcAccess",
    ] {
        assert!(
            security.get(risky).is_none_or(|v| v == &Value::Bool(false)),
            "app.security.{risky} is set"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Capabilities and commands

fn capability_files() -> Vec<(PathBuf, Value)> {
    let dir = crate_dir().join("capabilities");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "json" || ext == "toml")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no capability file in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            assert!(
                path.extension().is_some_and(|ext| ext == "json"),
                "{} is TOML; this test reads JSON capabilities only",
                path.display()
            );
            let value = serde_json::from_str(&read(&path))
                .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()));
            (path, value)
        })
        .collect()
}

/// What is too broad in one capability: every window or webview, every path, remote pages,
/// or the shell plugin.
fn capability_problems(capability: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in ["windows", "webviews"] {
        for label in capability[field].as_array().into_iter().flatten() {
            let label = label.as_str().unwrap_or_default();
            if label.contains('*') {
                problems.push(format!(
                    "{field} names {label:?}: every matching window may call the app"
                ));
            }
        }
    }
    if capability.get("remote").is_some() {
        problems.push("it lets remote pages call the app (\"remote\")".into());
    }
    for permission in capability["permissions"].as_array().into_iter().flatten() {
        let identifier = permission
            .as_str()
            .or_else(|| permission["identifier"].as_str())
            .unwrap_or_default();
        if identifier.starts_with("shell:") {
            problems.push(format!("{identifier}: the shell plugin is not allowed"));
        }
        let mut scopes = Vec::new();
        collect_strings(&permission["allow"], &mut scopes);
        collect_strings(&permission["deny"], &mut scopes);
        for scope in scopes {
            if scope.contains("**") || scope == "*" {
                problems.push(format!("{identifier} has the scope {scope:?}: every path"));
            }
        }
    }
    problems
}

fn collect_strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(text) => into.push(text.clone()),
        Value::Array(list) => list.iter().for_each(|v| collect_strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// The app's own permissions (no `plugin:` prefix) a capability grants.
fn app_permissions(capability: &Value) -> BTreeSet<String> {
    capability["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
        .filter(|id| !id.contains(':'))
        .map(str::to_owned)
        .collect()
}

/// The quoted names in build.rs's `const COMMANDS: &[&str] = &[ … ];`.
fn commands_in_build_rs(text: &str) -> BTreeSet<String> {
    let start = text
        .find("const COMMANDS")
        .expect("build.rs has no `const COMMANDS` list");
    let list = &text[start..];
    let list = &list[list.find("&[").expect("COMMANDS is not a slice") + 2..];
    let list = &list[..list.find("];").expect("COMMANDS has no end")];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The function names in lib.rs's `generate_handler![ … ]`.
fn commands_in_handler(text: &str) -> BTreeSet<String> {
    let start = text
        .find("generate_handler![")
        .expect("lib.rs has no generate_handler!")
        + "generate_handler![".len();
    let list = &text[start..];
    let list = &list[..list.find(']').expect("generate_handler! has no end")];
    list.split(',')
        .map(|path| {
            path.split("::")
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

fn permission_of(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

#[test]
fn no_capability_names_every_window_or_every_path() {
    for (path, capability) in capability_files() {
        assert_eq!(
            capability_problems(&capability),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_window_uses_only_capabilities_that_exist() {
    let files = capability_files();
    let identifiers: BTreeSet<String> = files
        .iter()
        .map(|(_, c)| c["identifier"].as_str().unwrap().to_owned())
        .collect();
    let enabled = &tauri_conf()["app"]["security"]["capabilities"];
    let enabled: Vec<&str> = enabled
        .as_array()
        .expect("tauri.conf.json lists its capabilities explicitly")
        .iter()
        .map(|c| c.as_str().expect("capabilities are named by identifier"))
        .collect();
    for name in &enabled {
        assert!(identifiers.contains(*name), "capability {name} has no file");
    }
    for identifier in &identifiers {
        assert!(
            enabled.contains(&identifier.as_str()),
            "capabilities/{identifier} exists but tauri.conf.json does not enable it"
        );
    }
}

#[test]
fn every_command_has_its_own_permission_and_every_permission_a_command() {
    let manifest = commands_in_build_rs(&read(&crate_dir().join("build.rs")));
    let handled = commands_in_handler(&read(&crate_dir().join("src/lib.rs")));
    assert!(!manifest.is_empty(), "build.rs lists no command");
    assert_eq!(
        manifest, handled,
        "build.rs's COMMANDS (left) and lib.rs's generate_handler! (right) must list the same commands"
    );

    let granted: BTreeSet<String> = capability_files()
        .iter()
        .flat_map(|(_, c)| app_permissions(c))
        .collect();
    let expected: BTreeSet<String> = manifest.iter().map(|c| permission_of(c)).collect();
    let missing: Vec<_> = expected.difference(&granted).collect();
    let unknown: Vec<_> = granted.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "commands with no explicit permission in capabilities/: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "permissions in capabilities/ for no command (or a blanket one such as `default`): {unknown:?}"
    );
}

#[test]
fn the_capability_checks_catch_wildcards_remote_pages_and_the_shell() {
    let too_broad = [
        serde_json::json!({ "windows": ["*"], "permissions": [] }),
        serde_json::json!({ "windows": ["main"], "webviews": ["main-*"], "permissions": [] }),
        serde_json::json!({ "windows": ["main"], "remote": { "urls": ["https://*.example.com"] } }),
        serde_json::json!({ "windows": ["main"], "permissions": ["shell:allow-open"] }),
        serde_json::json!({ "windows": ["main"], "permissions": [
            { "identifier": "fs:allow-read-file", "allow": [{ "path": "$HOME/**" }] }
        ] }),
    ];
    for capability in too_broad {
        assert!(
            !capability_problems(&capability).is_empty(),
            "a too-broad capability passed: {capability}"
        );
    }
    assert_eq!(
        capability_problems(&serde_json::json!({
            "windows": ["main"],
            "permissions": ["allow-app-status", { "identifier": "fs:allow-read-file", "allow": [{ "path": "$APPDATA/settings.json" }] }]
        })),
        Vec::<String>::new()
    );
}

#[test]
fn the_command_lists_are_read_as_written() {
    let build_rs = r#"
        const COMMANDS: &[&str] = &[
            "app_status",
            "save_key",
        ];
        fn main() {}
    "#;
    assert_eq!(
        commands_in_build_rs(build_rs),
        BTreeSet::from(["app_status".to_owned(), "save_key".to_owned()])
    );
    let lib_rs = "builder.invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::accounts::save_key,
        ])";
    assert_eq!(
        commands_in_handler(lib_rs),
        BTreeSet::from(["app_status".to_owned(), "save_key".to_owned()])
    );
    assert_eq!(permission_of("list_saved_keys"), "allow-list-saved-keys");
}

// ---------------------------------------------------------------------------------------------
// The UI's files

/// Every file the app serves: ui/, without the UI's unit tests (never loaded by the app).
fn ui_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    walk(&path, into);
                }
            } else if path.extension().is_some_and(|ext| {
                ["html", "js", "mjs", "css", "svg"]
                    .iter()
                    .any(|e| ext == *e)
            }) {
                into.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&crate_dir().join("../ui"), &mut files);
    assert!(!files.is_empty(), "no UI files found");
    files
}

/// Inline event handlers in markup (`<button onclick="…">`, also in HTML written inside a
/// script) and handlers set as attributes (`setAttribute("onclick", …)`).
fn inline_handlers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = text[i..].find('<') {
        let open = i + offset;
        i = open + 1;
        if !bytes.get(open + 1).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let Some(close) = text[open..].find('>') else {
            break;
        };
        let tag = &text[open..open + close];
        for attribute in attributes_named_on(tag) {
            found.push(format!("{attribute} in {}", tag.trim()));
        }
    }
    let lower = text.to_ascii_lowercase();
    for quote in ['"', '\'', '`'] {
        if lower.contains(&format!("setattribute({quote}on")) {
            found.push(format!("setAttribute({quote}on…)"));
        }
    }
    if lower.contains("javascript:") {
        found.push("a javascript: URL".into());
    }
    found
}

/// `on…=` attribute names inside one tag's text.
fn attributes_named_on(tag: &str) -> Vec<String> {
    let lower = tag.to_ascii_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut names = Vec::new();
    for start in 1..chars.len() {
        let after_space =
            chars[start - 1].is_whitespace() || chars[start - 1] == '"' || chars[start - 1] == '\'';
        if !(after_space && chars[start] == 'o' && chars.get(start + 1) == Some(&'n')) {
            continue;
        }
        let mut end = start + 2;
        while chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
            end += 1;
        }
        let mut eq = end;
        while chars.get(eq).is_some_and(|c| c.is_whitespace()) {
            eq += 1;
        }
        if end > start + 2 && chars.get(eq) == Some(&'=') {
            names.push(chars[start..end].iter().collect());
        }
    }
    names
}

/// URLs shown to the creator as text (the services' default addresses, as placeholders in the
/// advanced settings), never loaded: the CSP would refuse them anyway.
const SHOWN_NOT_LOADED: &[&str] = &[
    "https://api.minimax.io",
    "https://api.minimaxi.com",
    "https://openrouter.ai/api/v1",
    "https://api.linkmodel.ai/api/v1",
    // The first-frame link box: the scheme a link must start with, and an example shown as a
    // placeholder. The services fetch the creator's link, never the UI.
    "https://",
    "https://example.com/picture.jpg",
];

/// Remote URLs in a UI file: anything with a scheme that reaches the network, or a
/// protocol-relative `//host` in a place that loads it.
fn remote_urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://", "ws://", "wss://", "ftp://"] {
        let mut rest = text;
        while let Some(at) = rest.find(scheme) {
            let url: String = rest[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"\"'`)<>,;".contains(*c))
                .collect();
            rest = &rest[at + scheme.len()..];
            let local = [
                "http://127.0.0.1",
                "http://localhost",
                "http://ipc.localhost",
            ]
            .iter()
            .any(|prefix| url.starts_with(prefix));
            // XML namespaces name a vocabulary; nothing is fetched from them.
            let namespace = url.starts_with("http://www.w3.org/");
            if !(local || namespace || SHOWN_NOT_LOADED.contains(&url.as_str())) {
                found.push(url);
            }
        }
    }
    let lower = text.to_ascii_lowercase();
    for loader in [
        "src=\"//",
        "src='//",
        "href=\"//",
        "href='//",
        "url(//",
        "url(\"//",
        "url('//",
        "from \"//",
        "from '//",
        "import(\"//",
        "import('//",
    ] {
        if lower.contains(loader) {
            found.push(format!("a protocol-relative address after {loader}"));
        }
    }
    found
}

#[test]
fn the_ui_has_no_inline_handlers_and_no_remote_urls() {
    for path in ui_files() {
        let text = read(&path);
        assert_eq!(
            inline_handlers(&text),
            Vec::<String>::new(),
            "{}: inline event handlers cannot run under the CSP; use addEventListener (or el()'s on… properties)",
            path.display()
        );
        assert_eq!(
            remote_urls(&text),
            Vec::<String>::new(),
            "{}: the UI must not load anything from the network",
            path.display()
        );
    }
}

#[test]
fn the_ui_checks_catch_handlers_and_remote_addresses() {
    assert_eq!(
        inline_handlers(r#"<button type="button" onclick="go()">Go</button>"#),
        vec![r#"onclick in <button type="button" onclick="go()""#.to_owned()]
    );
    assert!(!inline_handlers("list.innerHTML = `<img src=x onerror = alert(1)>`").is_empty());
    assert!(!inline_handlers(r#"node.setAttribute("onload", code)"#).is_empty());
    assert!(!inline_handlers(r#"<a href="javascript:void(0)">x</a>"#).is_empty());
    // Handlers attached from a module are what the UI does, and pass.
    assert_eq!(
        inline_handlers(
            r#"el("button", { onclick: () => go(), textContent: "Go" }); const onDone = 1; tab.onclick = f; if (a<b && c > d) {}"#
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        inline_handlers(r#"<input data-one="1" once-more>"#),
        Vec::<String>::new()
    );

    assert_eq!(
        remote_urls(r#"<script src="https://cdn.example.com/lib.js"></script>"#),
        vec!["https://cdn.example.com/lib.js".to_owned()]
    );
    assert_eq!(
        remote_urls(r#"@import url("https://fonts.example.com/css");"#),
        vec!["https://fonts.example.com/css".to_owned()]
    );
    assert!(!remote_urls(r#"<img src="//tracker.example.com/p.gif">"#).is_empty());
    assert_eq!(
        remote_urls(
            r#"<svg xmlns="http://www.w3.org/2000/svg"></svg> fetch("http://127.0.0.1:4010/x"); placeholder: "https://api.minimax.io""#
        ),
        Vec::<String>::new()
    );
    // A shown-only address that gains a path is no longer the shown one.
    assert_eq!(
        remote_urls(r#""https://api.minimax.io/v1/video_generation""#),
        vec!["https://api.minimax.io/v1/video_generation".to_owned()]
    );
}

// ---------------------------------------------------------------------------------------------
// The app's identity

#[test]
fn the_identifier_is_a_valid_macos_bundle_id_and_names_the_keyring_entries() {
    let conf = tauri_conf();
    let identifier = conf["identifier"].as_str().unwrap();
    // macOS treats a bundle identifier ending in ".app" as a bundle name; Tauri warns about it.
    assert!(!identifier.ends_with(".app"), "{identifier} ends in .app");
    // Keys and data folders are found by this name: the two must never drift apart.
    assert_eq!(identifier, hailuo_core::keys::KEYRING_SERVICE);
}
