// The first frame a creator chose, and how it travels: as a picture's type for the price and the
// choices, as a file with its accepted fixes (or a link) when the generation starts. No DOM here.

/** Which fixes mend which broken rule (the Rust side's `fixes_for`): one of them is enough. */
const FIXES_FOR_RULE = {
  "file-size": ["downscale"],
  "short-side": ["upscale"],
  shape: ["crop", "pad"],
};

/** Fixes that mend the same rule exclude each other: the creator picks one. */
function rivalsOf(fix) {
  const rule = Object.keys(FIXES_FOR_RULE).find((r) => FIXES_FOR_RULE[r].includes(fix));
  return rule ? FIXES_FOR_RULE[rule].filter((f) => f !== fix) : [];
}

/** A picture the app inspected (`{path, ...FirstFrameReport}`) as the first frame, no fix yet. */
export function pictureFrame(inspected) {
  return { kind: "file", path: inspected.path, report: inspected, fixes: [] };
}

/**
 * A link typed by the creator as the first frame, or the reason it cannot be one. Only https
 * links are taken: the services fetch the picture themselves and refuse anything else.
 */
export function linkFrame(text) {
  const url = String(text ?? "").trim();
  if (!url) return { problem: "Paste the link to a picture on the web." };
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: "That is not a web link. Copy the picture's address from your browser: it starts with https://" };
  }
  if (parsed.protocol !== "https:") {
    return { problem: "The link must start with https:// — the video services fetch only secure links." };
  }
  return { frame: { kind: "link", url: parsed.href } };
}

/** Accepts or withdraws one fix; accepting one drops its rival (crop and pad both mend the shape). */
export function withFix(frame, fix, accepted) {
  const others = frame.fixes.filter((f) => f !== fix && !(accepted && rivalsOf(fix).includes(f)));
  return { ...frame, fixes: accepted ? [...others, fix] : others };
}

/**
 * The rules the picture breaks that no accepted fix mends yet, each with the fixes on offer for
 * it. Empty when the picture can be sent.
 */
export function unmendedRules(frame) {
  if (frame?.kind !== "file") return [];
  return frame.report.rules
    .filter((check) => !check.passed)
    .filter((check) => !(FIXES_FOR_RULE[check.rule] ?? []).some((fix) => frame.fixes.includes(fix)))
    .map((check) => ({
      ...check,
      offers: offersFor(frame.report, check.rule),
    }));
}

/** The fixes on offer for one broken rule (crop and pad for the shape, ...). */
export function offersFor(report, rule) {
  return report.fixes.filter((offer) => (FIXES_FOR_RULE[rule] ?? []).includes(offer.fix));
}

/** Why Generate must wait for the first frame, or null when it is ready. */
export function firstFrameProblem(frame) {
  const unmended = unmendedRules(frame);
  if (unmended.length === 0) return null;
  if (unmended.some((rule) => rule.offers.length === 0)) {
    return "This picture cannot be used as a first frame. Choose another picture.";
  }
  const titles = unmended.map((rule) => rule.offers.map((offer) => `“${offer.title}”`).join(" or "));
  return `Choose how to fix the first frame: ${titles.join(", and ")}.`;
}

/** The first frame as `generation_choices` and `quote_generation` read it: what it is, not its bytes. */
export function firstFrameForQuote(frame) {
  if (!frame) return null;
  if (frame.kind === "link") return { kind: "link", url: frame.url };
  return { kind: "picture", mime: frame.report.sentAs };
}

/** The first frame as `start_generation` takes it (the shared contract). */
export function firstFrameForStart(frame) {
  if (!frame) return null;
  if (frame.kind === "link") return { kind: "link", url: frame.url };
  return { kind: "file", path: frame.path, fixes: [...frame.fixes] };
}

/** The picture to show: the accepted shape fix's preview when there is one, else the picture as it is. */
export function shownPreview(frame) {
  if (frame?.kind !== "file") return null;
  const order = ["crop", "pad", "upscale", "downscale"];
  const offer = order
    .filter((fix) => frame.fixes.includes(fix))
    .map((fix) => frame.report.fixes.find((o) => o.fix === fix))
    .find(Boolean);
  return offer ?? { preview: frame.report.preview, width: frame.report.width, height: frame.report.height };
}

/** `1920×1080 · JPEG · 2.1 MB`, the line under the preview. */
export function pictureFacts(report) {
  return `${report.width}×${report.height} · ${FORMAT_NAMES[report.format] ?? report.format} · ${megabytes(report.fileBytes)}`;
}

const FORMAT_NAMES = { jpeg: "JPEG", png: "PNG", webp: "WebP", gif: "GIF", bmp: "BMP", tiff: "TIFF" };

/** Decimal megabytes, as file managers show them; small files in kilobytes. */
export function megabytes(bytes) {
  if (bytes < 100_000) return `${Math.max(1, Math.round(bytes / 1000))} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** What the chosen service does with this kind of first frame, when it cannot take it. */
export function providerRefusal(frame, provider) {
  if (frame?.kind !== "file") return null;
  const support = frame.report.providers?.find((p) => p.provider === provider);
  return support && !support.acceptsPicture ? support.note : null;
}

/**
 * The kept first frame of a finished generation, to remix it: a file in the generation's folder
 * (named like the last part of its media-server URL), or the link it was made from.
 */
export function keptFirstFrame(card) {
  const url = card.firstFrameUrl;
  if (!url) return null;
  if (url.startsWith("https://")) return { kind: "link", url };
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  if (!name || !card.folder) return null;
  const separator = card.folder.includes("\\") && !card.folder.includes("/") ? "\\" : "/";
  const folder = card.folder.endsWith(separator) ? card.folder.slice(0, -1) : card.folder;
  return { kind: "path", path: `${folder}${separator}${name}` };
}
