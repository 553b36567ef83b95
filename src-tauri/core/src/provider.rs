//! The services that sell Hailuo 2.3 generations, and what each one supports.

use serde::{Deserialize, Serialize};

/// A place a generation can be bought. MiniMax's two regions are separate services: a key of
/// one region is rejected by the other, and they charge in different currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    MinimaxGlobal,
    MinimaxChina,
    #[serde(rename = "openrouter")]
    OpenRouter,
    #[serde(rename = "linkmodel")]
    LinkModel,
}

/// The currency a provider charges in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Usd,
    Cny,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::MinimaxGlobal,
        Provider::MinimaxChina,
        Provider::OpenRouter,
        Provider::LinkModel,
    ];

    /// The stable identifier used in settings, the keyring and `generation.json`.
    pub fn id(self) -> &'static str {
        match self {
            Provider::MinimaxGlobal => "minimax-global",
            Provider::MinimaxChina => "minimax-china",
            Provider::OpenRouter => "openrouter",
            Provider::LinkModel => "linkmodel",
        }
    }

    /// The name a creator reads.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::MinimaxGlobal => "MiniMax",
            Provider::MinimaxChina => "MiniMax China",
            Provider::OpenRouter => "OpenRouter",
            Provider::LinkModel => "LinkModel",
        }
    }

    /// The documented production base URL (providers.md, "At a glance").
    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::MinimaxGlobal => "https://api.minimax.io",
            // Documented since Sept 2026; the older `api.minimaxi.com` is tried as well
            // (`providers::base_urls_from`).
            Provider::MinimaxChina => "https://api.minimax.cn",
            Provider::OpenRouter => "https://openrouter.ai/api/v1",
            Provider::LinkModel => "https://api.linkmodel.ai/api/v1",
        }
    }

    /// The environment variables that override the base URL (proxies, gateways, tests), the
    /// first one set winning. The China host has its own, and otherwise follows MiniMax's.
    pub fn base_url_env_vars(self) -> &'static [&'static str] {
        match self {
            Provider::MinimaxGlobal => &["HAILUO_STUDIO_MINIMAX_BASE_URL"],
            Provider::MinimaxChina => &[
                "HAILUO_STUDIO_MINIMAX_CHINA_BASE_URL",
                "HAILUO_STUDIO_MINIMAX_BASE_URL",
            ],
            Provider::OpenRouter => &["HAILUO_STUDIO_OPENROUTER_BASE_URL"],
            Provider::LinkModel => &["HAILUO_STUDIO_LINKMODEL_BASE_URL"],
        }
    }

    pub fn currency(self) -> Currency {
        match self {
            Provider::MinimaxChina => Currency::Cny,
            _ => Currency::Usd,
        }
    }

    pub fn is_minimax(self) -> bool {
        matches!(self, Provider::MinimaxGlobal | Provider::MinimaxChina)
    }

    /// Only MiniMax itself offers Hailuo 2.3 Fast (providers.md, model ids).
    pub fn offers_fast_model(self) -> bool {
        self.is_minimax()
    }

    /// Whether a first frame may be sent as picture bytes (a data URL). LinkModel documents
    /// only URLs, so a creator must give it an https link.
    pub fn accepts_first_frame_bytes(self) -> bool {
        !matches!(self, Provider::LinkModel)
    }

    /// Whether the provider has the prompt optimizer and fast-pretreatment switches.
    pub fn has_prompt_optimizer(self) -> bool {
        self.is_minimax()
    }

    pub fn from_id(id: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_is_written_as_its_stable_id() {
        for provider in Provider::ALL {
            let json = serde_json::to_value(provider).unwrap();
            assert_eq!(json, provider.id());
            assert_eq!(Provider::from_id(provider.id()), Some(provider));
        }
    }
}
