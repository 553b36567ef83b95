//! Names of generation folders: date, time and a short slug of the prompt, safe on every OS.

use time::OffsetDateTime;

/// The slug's limit in bytes (UTF-8): about 60 ASCII letters or 20 Chinese characters. With the
/// date and a collision number the whole name stays far below every file system's 255.
pub const MAX_SLUG_BYTES: usize = 60;

/// The slug used when a prompt has no letters or digits at all (emoji, punctuation, empty).
const UNTITLED: &str = "untitled";

/// Names Windows reserves for devices, whatever follows a dot (`CON.txt` is reserved too).
const WINDOWS_DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];

/// `2026-11-21 1432 a-lighthouse-at-dusk` for the `attempt`th folder of that minute and prompt
/// (`attempt` 1 has no number; 2 gives `… a-lighthouse-at-dusk 2`).
pub fn folder_name(created_at: OffsetDateTime, prompt: &str, attempt: u32) -> String {
    let mut name = format!(
        "{:04}-{:02}-{:02} {:02}{:02} {}",
        created_at.year(),
        u8::from(created_at.month()),
        created_at.day(),
        created_at.hour(),
        created_at.minute(),
        slug(prompt)
    );
    if attempt > 1 {
        name.push_str(&format!(" {attempt}"));
    }
    name
}

/// A short, lower-case, hyphenated form of the prompt that every OS accepts as a file name.
///
/// Letters and digits of any script are kept (Chinese stays Chinese); camera commands in
/// brackets, punctuation, emoji, control characters and everything Windows, macOS or Linux
/// forbid become separators.
pub fn slug(prompt: &str) -> String {
    let mut slug = String::new();
    let mut pending_separator = false;
    let mut in_brackets = 0usize;
    for c in prompt.chars() {
        match c {
            // `[Push in]` is an instruction to the camera, not what the video is about.
            '[' => in_brackets += 1,
            ']' => in_brackets = in_brackets.saturating_sub(1),
            _ if in_brackets > 0 => {}
            c if c.is_alphanumeric() => {
                let mut lower = [0u8; 4];
                for l in c.to_lowercase() {
                    let encoded = l.encode_utf8(&mut lower);
                    let separator = if pending_separator && !slug.is_empty() {
                        1
                    } else {
                        0
                    };
                    if slug.len() + separator + encoded.len() > MAX_SLUG_BYTES {
                        return finish(slug);
                    }
                    if separator == 1 {
                        slug.push('-');
                    }
                    pending_separator = false;
                    slug.push_str(encoded);
                }
            }
            _ => pending_separator = true,
        }
    }
    finish(slug)
}

fn finish(slug: String) -> String {
    if slug.is_empty() {
        return UNTITLED.to_owned();
    }
    if is_windows_device_name(&slug) {
        // Never the whole folder name (the date comes first), but a slug may be reused alone.
        return format!("{slug}-video");
    }
    slug
}

/// `con`, `nul`, `com1`, `lpt9` and their superscript-digit forms, in any case.
fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_lowercase();
    if WINDOWS_DEVICES.contains(&stem.as_str()) {
        return true;
    }
    let numbered = stem
        .strip_prefix("com")
        .or_else(|| stem.strip_prefix("lpt"));
    matches!(numbered, Some(n) if n.chars().count() == 1
        && n.chars().all(|c| matches!(c, '0'..='9' | '¹' | '²' | '³')))
}

/// Whether `name` is a file name that Windows, macOS and Linux all accept unchanged.
pub fn is_portable_name(name: &str) -> bool {
    const FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.ends_with(['.', ' '])
        && !name.starts_with(' ')
        && !name
            .chars()
            .any(|c| c.is_control() || FORBIDDEN.contains(&c))
        && !is_windows_device_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-11-21 14:32 +01:00);

    #[test]
    fn a_folder_is_named_by_date_minute_and_prompt() {
        let name = folder_name(AT, "A lighthouse at dusk", 1);
        assert_eq!(name, "2026-11-21 1432 a-lighthouse-at-dusk");
        assert!(is_portable_name(&name));
    }

    #[test]
    fn camera_commands_and_punctuation_do_not_reach_the_name() {
        assert_eq!(
            slug("A man picks up a book [Pedestal up]. Then: \"smiles\"!"),
            "a-man-picks-up-a-book-then-smiles"
        );
        assert_eq!(slug("[Pan left,Pedestal up] Waves"), "waves");
    }

    #[test]
    fn characters_any_os_forbids_become_separators() {
        let s = slug("a<b>c:d\"e/f\\g|h?i*j\u{0}k\u{1f}l\u{7f}m");
        assert_eq!(s, "a-b-c-d-e-f-g-h-i-j-k-l-m");
    }

    #[test]
    fn windows_device_names_are_never_produced() {
        for prompt in ["CON", "nul", "Com1", "LPT9", "aux", "PRN", "com¹"] {
            let s = slug(prompt);
            assert!(!is_windows_device_name(&s), "{prompt} gave {s}");
            assert!(is_portable_name(&s), "{prompt} gave {s}");
        }
        assert_eq!(slug("CON"), "con-video");
        assert_eq!(slug("console"), "console");
        assert!(!is_portable_name("CON.txt"));
        assert!(!is_portable_name("com3"));
    }

    #[test]
    fn chinese_stays_chinese_within_sixty_bytes() {
        let prompt = "灯塔".repeat(1000); // 2000 characters, 6000 bytes
        let s = slug(&prompt);
        assert_eq!(s, "灯塔".repeat(10));
        assert_eq!(s.len(), 60);
        let name = folder_name(AT, &prompt, 1);
        assert!(is_portable_name(&name));
    }

    #[test]
    fn long_prompts_are_cut_at_a_character_boundary_without_a_trailing_hyphen() {
        let s = slug(&"word ".repeat(100));
        assert!(s.len() <= MAX_SLUG_BYTES, "{}", s.len());
        assert!(!s.ends_with('-'));
        assert!(s.starts_with("word-word"));
        // Mixed widths: 1-, 2-, 3- and 4-byte characters never get split.
        let s = slug(&"aé灯𝐀".repeat(50));
        assert!(s.len() <= MAX_SLUG_BYTES);
        assert!(std::str::from_utf8(s.as_bytes()).is_ok());
    }

    #[test]
    fn emoji_and_punctuation_alone_give_untitled() {
        assert_eq!(slug("🌅🌊✨"), "untitled");
        assert_eq!(slug("!!! ... ???"), "untitled");
        assert_eq!(slug(""), "untitled");
        assert_eq!(slug("🌅 Sunset over 海"), "sunset-over-海");
    }

    #[test]
    fn trailing_dots_and_spaces_never_end_a_name() {
        let name = folder_name(AT, "The end...   ", 1);
        assert_eq!(name, "2026-11-21 1432 the-end");
        assert!(is_portable_name(&name));
    }

    #[test]
    fn a_second_folder_in_the_same_minute_gets_a_number() {
        assert_eq!(
            folder_name(AT, "Waves", 2),
            "2026-11-21 1432 waves 2",
            "the collision number follows the slug"
        );
    }

    #[test]
    fn unicode_letters_of_other_scripts_are_kept() {
        assert_eq!(slug("Ночь над морем"), "ночь-над-морем");
        assert_eq!(slug("Café Ünïcode"), "café-ünïcode");
        assert_eq!(slug("東京の夜 2026"), "東京の夜-2026");
    }
}
