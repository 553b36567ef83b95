//! What a creator asks for: the generation request, and the rules it must meet before any money moves.

use serde::{Deserialize, Serialize};

use crate::provider::Provider;

/// The longest prompt the model takes, counted in characters (not bytes), per providers.md.
pub const MAX_PROMPT_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// `MiniMax-Hailuo-2.3`: text to video and image to video.
    #[serde(rename = "hailuo-2.3")]
    Hailuo23,
    /// `MiniMax-Hailuo-2.3-Fast`: image to video only, MiniMax only, cheaper.
    #[serde(rename = "hailuo-2.3-fast")]
    Hailuo23Fast,
}

impl Model {
    pub fn display_name(self) -> &'static str {
        match self {
            Model::Hailuo23 => "Hailuo 2.3",
            Model::Hailuo23Fast => "Hailuo 2.3 Fast",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Resolution {
    #[serde(rename = "768P")]
    P768,
    #[serde(rename = "1080P")]
    P1080,
}

impl Resolution {
    /// MiniMax's and LinkModel's spelling (`768P`); OpenRouter lowercases it.
    pub fn as_minimax(self) -> &'static str {
        match self {
            Resolution::P768 => "768P",
            Resolution::P1080 => "1080P",
        }
    }

    pub fn as_openrouter(self) -> &'static str {
        match self {
            Resolution::P768 => "768p",
            Resolution::P1080 => "1080p",
        }
    }

    /// Pixel size of a 16:9 (text to video) clip at this resolution.
    pub fn landscape_size(self) -> (u32, u32) {
        match self {
            Resolution::P768 => (1366, 768),
            Resolution::P1080 => (1920, 1080),
        }
    }
}

/// The picture a video starts from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FirstFrame {
    /// A prepared picture (JPEG, PNG or WebP) sent inline as a data URL.
    Picture {
        mime: String,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// A picture the provider fetches itself.
    Link { url: String },
}

impl std::fmt::Debug for FirstFrame {
    // Picture bytes would flood logs; their length is what matters when debugging.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FirstFrame::Picture { mime, bytes } => f
                .debug_struct("Picture")
                .field("mime", mime)
                .field("bytes", &bytes.len())
                .finish(),
            FirstFrame::Link { url } => f.debug_struct("Link").field("url", url).finish(),
        }
    }
}

/// One video a creator wants, as chosen in Compose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationRequest {
    pub provider: Provider,
    pub model: Model,
    pub prompt: String,
    #[serde(default)]
    pub first_frame: Option<FirstFrame>,
    /// Seconds of video: 6 or 10.
    pub duration: u8,
    pub resolution: Resolution,
    /// MiniMax's prompt optimizer; it may rewrite camera commands, so creators who place them
    /// often turn it off.
    #[serde(default = "default_true")]
    pub prompt_optimizer: bool,
    /// MiniMax's shorter optimisation pass.
    #[serde(default)]
    pub fast_pretreatment: bool,
}

fn default_true() -> bool {
    true
}

/// Why a request cannot be sent, in words a creator understands. Checked before any network call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("Write a prompt that describes the video.")]
    PromptMissing,
    #[error("The prompt is {chars} characters long; the limit is {MAX_PROMPT_CHARS}. Shorten it by {over}.", over = chars - MAX_PROMPT_CHARS)]
    PromptTooLong { chars: usize },
    #[error("Videos are 6 or 10 seconds long, not {0}.")]
    DurationUnsupported(u8),
    #[error("1080P videos can only be 6 seconds long. Choose 768P for a 10-second video.")]
    TenSecondsNeeds768p,
    #[error("Hailuo 2.3 Fast makes videos from a first frame only. Add a first frame, or choose Hailuo 2.3.")]
    FastNeedsFirstFrame,
    #[error("{provider} does not offer Hailuo 2.3 Fast; only MiniMax does. Choose Hailuo 2.3.")]
    FastNotOffered { provider: Provider },
    #[error(
        "{provider} only takes a first frame as an https link to a picture, not a picture file."
    )]
    FirstFrameNeedsLink { provider: Provider },
    #[error("The first-frame link must start with https://.")]
    FirstFrameLinkNotHttps,
    #[error("{provider} has no prompt optimizer setting; turn it off to continue.")]
    OptionNotOffered { provider: Provider },
}

impl GenerationRequest {
    /// Checks every documented rule (providers.md, "Rules common to all three").
    pub fn validate(&self) -> Result<(), ValidationError> {
        let chars = self.prompt.chars().count();
        let prompt_optional = self.provider.is_minimax() && self.first_frame.is_some();
        if self.prompt.trim().is_empty() && !prompt_optional {
            return Err(ValidationError::PromptMissing);
        }
        if chars > MAX_PROMPT_CHARS {
            return Err(ValidationError::PromptTooLong { chars });
        }
        if self.duration != 6 && self.duration != 10 {
            return Err(ValidationError::DurationUnsupported(self.duration));
        }
        if self.duration == 10 && self.resolution == Resolution::P1080 {
            return Err(ValidationError::TenSecondsNeeds768p);
        }
        if self.model == Model::Hailuo23Fast {
            if !self.provider.offers_fast_model() {
                return Err(ValidationError::FastNotOffered {
                    provider: self.provider,
                });
            }
            if self.first_frame.is_none() {
                return Err(ValidationError::FastNeedsFirstFrame);
            }
        }
        match &self.first_frame {
            Some(FirstFrame::Picture { .. }) if !self.provider.accepts_first_frame_bytes() => {
                return Err(ValidationError::FirstFrameNeedsLink {
                    provider: self.provider,
                })
            }
            Some(FirstFrame::Link { url }) if !url.starts_with("https://") => {
                return Err(ValidationError::FirstFrameLinkNotHttps)
            }
            _ => {}
        }
        if self.fast_pretreatment && !self.provider.has_prompt_optimizer() {
            return Err(ValidationError::OptionNotOffered {
                provider: self.provider,
            });
        }
        Ok(())
    }
}

/// One option in Compose (a provider, model, duration or resolution), and whether picking it
/// keeps the rest of the request valid. The UI disables what is not allowed and shows the reason,
/// so a creator is never refused after the click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice<T> {
    pub value: T,
    pub allowed: bool,
    pub reason: Option<String>,
}

/// Every option in Compose with its verdict, for the request as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choices {
    pub providers: Vec<Choice<Provider>>,
    pub models: Vec<Choice<Model>>,
    pub durations: Vec<Choice<u8>>,
    pub resolutions: Vec<Choice<Resolution>>,
    /// Whether the request as it stands can be sent, and if not, why.
    pub problem: Option<String>,
}

impl GenerationRequest {
    /// What each option would do to this request: derived from [`GenerationRequest::validate`],
    /// so the rules live in one place.
    pub fn choices(&self) -> Choices {
        // A missing prompt is not a reason to disable a setting.
        let mut base = self.clone();
        if base.prompt.trim().is_empty() {
            base.prompt = "x".into();
        }
        let verdict = |candidate: GenerationRequest| match candidate.validate() {
            Ok(()) => (true, None),
            Err(err) => (false, Some(err.to_string())),
        };
        fn choice<T>(value: T, (allowed, reason): (bool, Option<String>)) -> Choice<T> {
            Choice {
                value,
                allowed,
                reason,
            }
        }
        Choices {
            providers: Provider::ALL
                .into_iter()
                .map(|provider| {
                    let mut candidate = base.clone();
                    candidate.provider = provider;
                    // Switching provider drops options the new one lacks rather than refusing.
                    if !provider.has_prompt_optimizer() {
                        candidate.fast_pretreatment = false;
                    }
                    choice(provider, verdict(candidate))
                })
                .collect(),
            models: [Model::Hailuo23, Model::Hailuo23Fast]
                .into_iter()
                .map(|model| {
                    choice(
                        model,
                        verdict(GenerationRequest {
                            model,
                            ..base.clone()
                        }),
                    )
                })
                .collect(),
            durations: [6, 10]
                .into_iter()
                .map(|duration| {
                    choice(
                        duration,
                        verdict(GenerationRequest {
                            duration,
                            ..base.clone()
                        }),
                    )
                })
                .collect(),
            resolutions: [Resolution::P768, Resolution::P1080]
                .into_iter()
                .map(|resolution| {
                    choice(
                        resolution,
                        verdict(GenerationRequest {
                            resolution,
                            ..base.clone()
                        }),
                    )
                })
                .collect(),
            problem: self.validate().err().map(|err| err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_to_video(provider: Provider) -> GenerationRequest {
        GenerationRequest {
            provider,
            model: Model::Hailuo23,
            prompt: "A lighthouse at dusk [Push in]".into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: false,
        }
    }

    fn picture() -> FirstFrame {
        FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: vec![1, 2, 3],
        }
    }

    #[test]
    fn a_plain_text_to_video_request_is_valid_at_every_provider() {
        for provider in Provider::ALL {
            assert_eq!(text_to_video(provider).validate(), Ok(()), "{provider}");
        }
    }

    #[test]
    fn prompt_length_counts_characters_not_bytes() {
        let mut req = text_to_video(Provider::MinimaxChina);
        req.prompt = "灯".repeat(MAX_PROMPT_CHARS); // 6000 bytes, 2000 characters
        assert_eq!(req.validate(), Ok(()));
        req.prompt.push('塔');
        assert_eq!(
            req.validate(),
            Err(ValidationError::PromptTooLong { chars: 2001 })
        );
        assert!(req
            .validate()
            .unwrap_err()
            .to_string()
            .contains("Shorten it by 1"));
    }

    #[test]
    fn an_empty_prompt_is_refused_unless_minimax_has_a_first_frame() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        req.prompt = "   ".into();
        assert_eq!(req.validate(), Err(ValidationError::PromptMissing));
        req.first_frame = Some(picture());
        assert_eq!(req.validate(), Ok(()));
        req.provider = Provider::OpenRouter;
        assert_eq!(req.validate(), Err(ValidationError::PromptMissing));
    }

    #[test]
    fn only_6_and_10_seconds_exist_and_10_seconds_needs_768p() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        req.duration = 8;
        assert_eq!(req.validate(), Err(ValidationError::DurationUnsupported(8)));
        req.duration = 10;
        assert_eq!(req.validate(), Ok(()));
        req.resolution = Resolution::P1080;
        assert_eq!(req.validate(), Err(ValidationError::TenSecondsNeeds768p));
        req.duration = 6;
        assert_eq!(req.validate(), Ok(()));
    }

    #[test]
    fn fast_needs_a_first_frame_and_minimax() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        req.model = Model::Hailuo23Fast;
        assert_eq!(req.validate(), Err(ValidationError::FastNeedsFirstFrame));
        req.first_frame = Some(picture());
        assert_eq!(req.validate(), Ok(()));
        req.provider = Provider::OpenRouter;
        assert_eq!(
            req.validate(),
            Err(ValidationError::FastNotOffered {
                provider: Provider::OpenRouter
            })
        );
    }

    #[test]
    fn linkmodel_takes_first_frames_only_as_https_links() {
        let mut req = text_to_video(Provider::LinkModel);
        req.first_frame = Some(picture());
        assert_eq!(
            req.validate(),
            Err(ValidationError::FirstFrameNeedsLink {
                provider: Provider::LinkModel
            })
        );
        req.first_frame = Some(FirstFrame::Link {
            url: "http://example.com/a.png".into(),
        });
        assert_eq!(req.validate(), Err(ValidationError::FirstFrameLinkNotHttps));
        req.first_frame = Some(FirstFrame::Link {
            url: "https://example.com/a.png".into(),
        });
        assert_eq!(req.validate(), Ok(()));
    }

    #[test]
    fn fast_pretreatment_is_a_minimax_option() {
        let mut req = text_to_video(Provider::OpenRouter);
        req.fast_pretreatment = true;
        assert_eq!(
            req.validate(),
            Err(ValidationError::OptionNotOffered {
                provider: Provider::OpenRouter
            })
        );
    }

    #[test]
    fn picture_bytes_never_show_in_debug_output() {
        let frame = FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: vec![7; 5000],
        };
        assert_eq!(
            format!("{frame:?}"),
            "Picture { mime: \"image/png\", bytes: 5000 }"
        );
    }

    #[test]
    fn choices_disable_10_seconds_at_1080p_with_the_reason() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        req.resolution = Resolution::P1080;
        let choices = req.choices();
        let ten = choices.durations.iter().find(|c| c.value == 10).unwrap();
        assert!(!ten.allowed);
        assert_eq!(
            ten.reason.as_deref(),
            Some("1080P videos can only be 6 seconds long. Choose 768P for a 10-second video.")
        );
        assert!(choices.durations.iter().any(|c| c.value == 6 && c.allowed));
        assert_eq!(choices.problem, None);
    }

    #[test]
    fn choices_offer_fast_only_with_a_first_frame_at_minimax() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        let fast = |req: &GenerationRequest| {
            req.choices()
                .models
                .into_iter()
                .find(|c| c.value == Model::Hailuo23Fast)
                .unwrap()
        };
        assert!(!fast(&req).allowed);
        req.first_frame = Some(picture());
        assert!(fast(&req).allowed);
        req.provider = Provider::OpenRouter;
        assert!(fast(&req).reason.unwrap().contains("only MiniMax"));
    }

    #[test]
    fn choices_explain_why_linkmodel_cannot_take_a_picture_file() {
        let mut req = text_to_video(Provider::MinimaxGlobal);
        req.first_frame = Some(picture());
        let linkmodel = req
            .choices()
            .providers
            .into_iter()
            .find(|c| c.value == Provider::LinkModel)
            .unwrap();
        assert!(!linkmodel.allowed);
        assert!(linkmodel.reason.unwrap().contains("https link"));
    }

    #[test]
    fn an_empty_prompt_disables_no_setting_but_is_the_problem() {
        let mut req = text_to_video(Provider::OpenRouter);
        req.prompt.clear();
        let choices = req.choices();
        assert!(choices.durations.iter().all(|c| c.allowed));
        assert_eq!(
            choices.problem.as_deref(),
            Some("Write a prompt that describes the video.")
        );
    }
}
