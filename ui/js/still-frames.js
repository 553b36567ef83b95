// Draws a still of a library video in the webview: there is no video decoder at run time on a
// creator's machine, but the webview plays the video from the media server, so it can also draw
// one of its frames onto a canvas. The media server lets the app's own pages read the pixels
// (CORS), which is why the element asks with crossOrigin "anonymous".

/** Where the poster is taken: a second in (a first frame is often dark), or a third of a short clip. */
const POSTER_AT_SECONDS = 1;
/** Just before the end: seeking to the duration itself may land past the last frame. */
const LAST_FRAME_BEFORE_END = 0.001;
const TIMEOUT_MS = 20_000;
/**
 * Posters are drawn at most this long on their longer side: a Library card is 240–500 px wide, so
 * this is sharp on a HiDPI screen, while a 1080P poster would keep 8 MB of decoded pixels per card.
 */
export const POSTER_MAX_SIDE = 640;
/** How often, and how long apart, a frame that came out all black is drawn again. */
const BLANK_RETRIES = 8;
const BLANK_RETRY_MS = 150;

/** Why no still could be drawn, in words a creator understands. */
export class StillError extends Error {
  constructor(message) {
    super(message);
    this.kind = "still-not-drawn";
  }
}

/**
 * Draws the poster (`"poster"`) or the very last frame (`"last-frame"`) of the video at `url` and
 * answers it as JPEG bytes (Uint8Array): a poster at most POSTER_MAX_SIDE on its longer side, the last frame
 * (the next generation's first frame) at the video's own size.
 */
export async function drawStill(url, which, { quality = 0.92 } = {}) {
  const video = document.createElement("video");
  video.crossOrigin = "anonymous";
  video.muted = true;
  video.playsInline = true;
  video.preload = "auto";
  // WebKitGTK only decodes and presents frames for an element in the page; the stylesheet
  // keeps it tiny and nearly transparent.
  video.className = "still-source";
  video.setAttribute("aria-hidden", "true");
  document.body.append(video);
  try {
    const loaded = when(video, "loadedmetadata");
    video.src = url;
    await loaded;
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    const at = which === "last-frame" ? Math.max(0, duration - LAST_FRAME_BEFORE_END) : Math.min(POSTER_AT_SECONDS, duration / 3);
    const seeked = when(video, "seeked");
    const presented = framePresented(video);
    video.currentTime = at;
    await seeked;
    if (video.readyState < 2) await when(video, "loadeddata");
    await presented;
    if (!video.videoWidth || !video.videoHeight) throw new StillError("The video has no picture to take a frame from.");
    const canvas = document.createElement("canvas");
    const size = stillSize(video.videoWidth, video.videoHeight, which === "poster" ? POSTER_MAX_SIDE : Infinity);
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    // WebKitGTK may report the seek before the decoder handed over the new picture, and the
    // canvas then gets an empty (black) frame: wait a little and draw again, a few times.
    for (let attempt = 0; attempt < BLANK_RETRIES; attempt += 1) {
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      if (!looksBlank(context, canvas)) break;
      await pause(BLANK_RETRY_MS);
    }
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    if (!blob) throw new StillError("The frame could not be turned into a picture.");
    return new Uint8Array(await blob.arrayBuffer());
  } catch (err) {
    if (err instanceof StillError) throw err;
    // A canvas the page may not read throws a SecurityError: the media server did not allow it.
    throw new StillError(`A frame of this video could not be taken (${err?.message ?? err}).`);
  } finally {
    video.removeAttribute("src");
    video.load();
    video.remove();
  }
}

/** Resolves once the video presented a new frame, where the engine can tell; after a second at most. */
function framePresented(video) {
  const timeout = pause(1000);
  if (typeof video.requestVideoFrameCallback !== "function") return timeout;
  return Promise.race([new Promise((resolve) => video.requestVideoFrameCallback(() => resolve())), timeout]);
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a sample of the canvas is all black (or all transparent): nothing was drawn yet. */
function looksBlank(context, canvas) {
  const step = Math.max(1, Math.floor(Math.min(canvas.width, canvas.height) / 16));
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  for (let y = 0; y < canvas.height; y += step) {
    for (let x = 0; x < canvas.width; x += step) {
      const i = (y * canvas.width + x) * 4;
      if (data[i] > 8 || data[i + 1] > 8 || data[i + 2] > 8) return false;
    }
  }
  return true;
}

/** Resolves on `event`, rejects on the element's error or after a while. */
function when(video, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(reject, new StillError("The video took too long to open.")), TIMEOUT_MS);
    const ok = () => finish(resolve);
    const failed = () => finish(reject, new StillError(`The video could not be read (media error ${video.error?.code ?? "?"}).`));
    function finish(settle, value) {
      clearTimeout(timer);
      video.removeEventListener(event, ok);
      video.removeEventListener("error", failed);
      settle(value);
    }
    video.addEventListener(event, ok);
    video.addEventListener("error", failed);
  });
}

/** The size a still is drawn at: the video's own, scaled down (shape kept) so that neither side is over `maxSide`. */
export function stillSize(videoWidth, videoHeight, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(videoWidth, videoHeight));
  return { width: Math.max(1, Math.round(videoWidth * scale)), height: Math.max(1, Math.round(videoHeight * scale)) };
}
