// How services and models are named on screen.

export const PROVIDER_NAMES = {
  "minimax-global": "MiniMax",
  "minimax-china": "MiniMax China",
  openrouter: "OpenRouter",
  linkmodel: "LinkModel",
};

export const MODEL_NAMES = { "hailuo-2.3": "Hailuo 2.3", "hailuo-2.3-fast": "Hailuo 2.3 Fast" };
