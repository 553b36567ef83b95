// The generation request as the Rust side reads it, built from what the creator composed.

import { firstFrameForQuote, firstFrameForStart } from "./first-frame.js";

/** The request as `generation_choices` and `quote_generation` read it. */
export function requestOf(compose) {
  return {
    provider: compose.provider,
    model: compose.model,
    prompt: compose.prompt,
    firstFrame: firstFrameForQuote(compose.firstFrame),
    duration: compose.duration,
    resolution: compose.resolution,
    promptOptimizer: compose.promptOptimizer,
    fastPretreatment: false,
  };
}

/** The request as `start_generation` takes it: the same, with the first frame's file and fixes. */
export function startRequestOf(compose) {
  return { ...requestOf(compose), firstFrame: firstFrameForStart(compose.firstFrame) };
}

/**
 * The request the price is asked for. The price does not depend on the words, so before any are
 * written it is asked with a stand-in: the price shows at once, and "Write a prompt" is said once,
 * by the compose panel, not again in place of the price.
 */
export function quoteRequestOf(compose) {
  const request = requestOf(compose);
  return request.prompt.trim() ? request : { ...request, prompt: "A video" };
}
