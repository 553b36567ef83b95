// Draws a still of a library video in the webview: there is no video decoder at run time on a
// creator's machine, but the webview plays the video from the media server, so it can also draw
// one of its frames onto a canvas. The media server lets the app's own pages read the pixels
// (CORS), which is why the element asks with crossOrigin "anonymous".

/** Where the poster is taken: a second in (a first frame is often dark), or a third of a short clip. */
const POSTER_AT_SECONDS = 1;
/** Just before the end: seeking to the duration itself may land past the last frame. */
const LAST_FRAME_BEFORE_END = 0.001;
const TIMEOUT_MS = 20_000;

/** Why no still could be drawn, in words a creator understands. */
export class StillError extends Error {
  constructor(message) {
    super(message);
    this.kind = "still-not-drawn";
  }
}

/**
 * Draws the poster (`"poster"`) or the very last frame (`"last-frame"`) of the video at `url` and
 * answers it as JPEG bytes (Uint8Array), at the video's own size.
 */
export async function drawStill(url, which, { quality = 0.92 } = {}) {
  const video = document.createElement("video");
  video.crossOrigin = "anonymous";
  video.muted = true;
  video.playsInline = true;
  video.preload = "auto";
  // WebKitGTK only decodes frames for an element in the document; keep it out of sight.
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
    video.currentTime = at;
    await seeked;
    if (video.readyState < 2) await when(video, "loadeddata");
    if (!video.videoWidth || !video.videoHeight) throw new StillError("The video has no picture to take a frame from.");
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
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
