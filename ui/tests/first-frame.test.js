// A first frame travels as what it is for the price, and as a file with its accepted fixes (or a
// link) when the generation starts; a picture that breaks a rule waits for the creator's fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  firstFrameForQuote,
  firstFrameForStart,
  firstFrameProblem,
  keptFirstFrame,
  linkFrame,
  megabytes,
  pictureFacts,
  pictureFrame,
  providerRefusal,
  shownPreview,
  unmendedRules,
  withFix,
} from "../js/first-frame.js";
import { requestOf, startRequestOf } from "../js/request.js";

/** An inspected panorama: too wide (crop or pad) and too short (upscale). */
function panorama() {
  return pictureFrame({
    path: "/home/ana/Pictures/beach.webp",
    format: "webp",
    width: 1200,
    height: 290,
    fileBytes: 2_345_678,
    turnedUpright: false,
    sentAs: "image/webp",
    shape: "landscape",
    shapeSentence: "The video will be landscape (wider than tall).",
    rules: [
      { rule: "format", passed: true, verdict: "WebP pictures are accepted." },
      { rule: "file-size", passed: true, verdict: "2.3 MB, under the 20 MB limit." },
      { rule: "short-side", passed: false, verdict: "The short side is only 290 px." },
      { rule: "shape", passed: false, verdict: "At 1200×290 the picture is 4.14 times wider than tall." },
    ],
    fixes: [
      { fix: "crop", title: "Crop to an allowed shape", preview: "data:image/jpeg;base64,Q1JPUA==", width: 725, height: 290 },
      { fix: "pad", title: "Add bars to an allowed shape", preview: "data:image/jpeg;base64,UEFE", width: 1200, height: 480 },
      { fix: "upscale", title: "Enlarge it", preview: "data:image/jpeg;base64,VVA=", width: 1324, height: 320 },
    ],
    ready: false,
    preview: "data:image/jpeg;base64,T1JJRw==",
    providers: [
      { provider: "minimax-global", acceptsPicture: true, note: "MiniMax receives the picture itself." },
      { provider: "linkmodel", acceptsPicture: false, note: "LinkModel only documents first frames given as a link." },
    ],
  });
}

test("a picture breaking two rules waits until one fix per rule is accepted", () => {
  let frame = panorama();
  assert.deepEqual(unmendedRules(frame).map((r) => r.rule), ["short-side", "shape"]);
  assert.equal(
    firstFrameProblem(frame),
    "Choose how to fix the first frame: “Enlarge it”, and “Crop to an allowed shape” or “Add bars to an allowed shape”.",
  );
  frame = withFix(frame, "pad", true);
  assert.deepEqual(unmendedRules(frame).map((r) => r.rule), ["short-side"]);
  frame = withFix(frame, "upscale", true);
  assert.equal(firstFrameProblem(frame), null);
});

test("crop and pad exclude each other, and a fix can be withdrawn", () => {
  let frame = withFix(panorama(), "crop", true);
  frame = withFix(frame, "upscale", true);
  frame = withFix(frame, "pad", true);
  assert.deepEqual(frame.fixes, ["upscale", "pad"]);
  frame = withFix(frame, "upscale", false);
  assert.deepEqual(frame.fixes, ["pad"]);
  assert.notEqual(firstFrameProblem(frame), null);
});

test("a broken rule with no fix on offer asks for another picture", () => {
  const frame = panorama();
  frame.report = { ...frame.report, fixes: frame.report.fixes.filter((f) => f.fix !== "upscale") };
  assert.equal(firstFrameProblem(withFix(frame, "crop", true)), "This picture cannot be used as a first frame. Choose another picture.");
});

test("the price sees a picture's type, the start sees its file and the accepted fixes", () => {
  const frame = withFix(withFix(panorama(), "crop", true), "upscale", true);
  assert.deepEqual(firstFrameForQuote(frame), { kind: "picture", mime: "image/webp" });
  assert.deepEqual(firstFrameForStart(frame), { kind: "file", path: "/home/ana/Pictures/beach.webp", fixes: ["crop", "upscale"] });
  const link = { kind: "link", url: "https://example.com/a.png" };
  assert.deepEqual(firstFrameForQuote(link), link);
  assert.deepEqual(firstFrameForStart(link), link);
  assert.equal(firstFrameForQuote(null), null);
  assert.equal(firstFrameForStart(null), null);
});

test("the request carries every setting, and only the first frame differs between quote and start", () => {
  const compose = {
    provider: "minimax-global",
    model: "hailuo-2.3-fast",
    prompt: "Waves roll in [Push in]",
    firstFrame: withFix(withFix(panorama(), "pad", true), "upscale", true),
    duration: 10,
    resolution: "768P",
    promptOptimizer: false,
  };
  const quote = requestOf(compose);
  assert.deepEqual(quote, {
    provider: "minimax-global",
    model: "hailuo-2.3-fast",
    prompt: "Waves roll in [Push in]",
    firstFrame: { kind: "picture", mime: "image/webp" },
    duration: 10,
    resolution: "768P",
    promptOptimizer: false,
    fastPretreatment: false,
  });
  assert.deepEqual(startRequestOf(compose), {
    ...quote,
    firstFrame: { kind: "file", path: "/home/ana/Pictures/beach.webp", fixes: ["pad", "upscale"] },
  });
  assert.equal(requestOf({ ...compose, firstFrame: null }).firstFrame, null);
});

test("only https links are taken as first frames, with the reason otherwise", () => {
  assert.deepEqual(linkFrame("  https://cdn.example.com/cat.jpg "), { frame: { kind: "link", url: "https://cdn.example.com/cat.jpg" } });
  assert.match(linkFrame("http://example.com/cat.jpg").problem, /https:\/\//);
  assert.match(linkFrame("cat.jpg").problem, /not a web link/);
  assert.match(linkFrame("").problem, /Paste the link/);
});

test("the preview follows the accepted shape fix", () => {
  const frame = panorama();
  assert.equal(shownPreview(frame).preview, "data:image/jpeg;base64,T1JJRw==");
  assert.equal(shownPreview(withFix(frame, "upscale", true)).preview, "data:image/jpeg;base64,VVA=");
  const both = withFix(withFix(frame, "upscale", true), "pad", true);
  assert.deepEqual([shownPreview(both).width, shownPreview(both).height], [1200, 480]);
});

test("the picture's facts read like a file manager's", () => {
  assert.equal(pictureFacts(panorama().report), "1200×290 · WebP · 2.3 MB");
  assert.equal(megabytes(48_200), "48 KB");
  assert.equal(megabytes(20_000_000), "20.0 MB");
});

test("a service that cannot take a picture file says why", () => {
  assert.match(providerRefusal(panorama(), "linkmodel"), /link/);
  assert.equal(providerRefusal(panorama(), "minimax-global"), null);
  assert.equal(providerRefusal({ kind: "link", url: "https://x.test/a.png" }, "linkmodel"), null);
});

test("a remix finds the kept first frame in the generation's folder", () => {
  const card = {
    folder: "/home/ana/Videos/Hailuo Studio/2026-11-21 lighthouse",
    firstFrameUrl: "http://127.0.0.1:40123/6f1c0e/0193a1b2/first-frame.png",
  };
  assert.deepEqual(keptFirstFrame(card), { kind: "path", path: "/home/ana/Videos/Hailuo Studio/2026-11-21 lighthouse/first-frame.png" });
  assert.deepEqual(keptFirstFrame({ folder: "C:\\Users\\Ana\\Videos\\x", firstFrameUrl: "http://127.0.0.1:1/t/g/first-frame.jpg" }), {
    kind: "path",
    path: "C:\\Users\\Ana\\Videos\\x\\first-frame.jpg",
  });
  assert.equal(keptFirstFrame({ folder: "/x", firstFrameUrl: null }), null);
});
