// Camera commands are written exactly as MiniMax documents them, wherever the cursor is.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CAMERA_MOVE_GROUPS,
  cameraCommand,
  findCameraCommands,
  insertCameraCommand,
  moveLabel,
} from "../js/camera-moves.js";

test("all fifteen documented moves are offered, each once", () => {
  const commands = CAMERA_MOVE_GROUPS.flatMap((g) => g.moves.map((m) => m.command));
  assert.deepEqual(new Set(commands), new Set([
    "Truck left", "Truck right", "Pan left", "Pan right", "Push in", "Pull out",
    "Pedestal up", "Pedestal down", "Tilt up", "Tilt down", "Zoom in", "Zoom out",
    "Shake", "Tracking shot", "Static shot",
  ]));
  assert.equal(commands.length, 15);
});

test("moves made together share one bracket, comma-separated", () => {
  assert.equal(cameraCommand(["Pan left", "Pedestal up"]), "[Pan left,Pedestal up]");
});

test("more than three moves together is refused", () => {
  assert.throws(() => cameraCommand(["Pan left", "Tilt up", "Zoom in", "Shake"]), /Up to 3/);
});

test("an unknown move is refused", () => {
  assert.throws(() => cameraCommand(["Barrel roll"]), /not a camera move/);
});

test("a command goes in at the cursor with spaces where words would touch", () => {
  const result = insertCameraCommand("A man picks up a book", 8, ["Pedestal up"]);
  assert.equal(result.text, "A man pi [Pedestal up] cks up a book");
  const end = insertCameraCommand("A man picks up a book", 21, ["Pedestal up"]);
  assert.equal(end.text, "A man picks up a book [Pedestal up]");
  assert.equal(end.cursor, end.text.length);
});

test("no extra space is added before punctuation or after existing space", () => {
  const result = insertCameraCommand("A fox runs .", 11, ["Tracking shot"]);
  assert.equal(result.text, "A fox runs [Tracking shot].");
  assert.equal(insertCameraCommand("", 0, ["Shake"]).text, "[Shake]");
});

test("typed commands are found, with unknown moves and overfull brackets flagged", () => {
  const steps = findCameraCommands("Dawn [Pan left,pedestal up] then [Spin] then [Zoom in,Tilt up,Shake,Pan right]");
  assert.equal(steps.length, 3);
  assert.deepEqual(steps[0].moves, ["Pan left", "pedestal up"]);
  assert.deepEqual(steps[0].unknown, []);
  assert.deepEqual(steps[1].unknown, ["Spin"]);
  assert.equal(steps[2].tooMany, true);
});

test("the picker's label shows the command it inserts where the plain name differs", () => {
  const move = (command) => CAMERA_MOVE_GROUPS.flatMap((g) => g.moves).find((m) => m.command === command);
  assert.equal(moveLabel(move("Push in")), "Move in [Push in]");
  assert.equal(moveLabel(move("Truck left")), "Slide left [Truck left]");
  // Where the name is the command, it is not said twice.
  assert.equal(moveLabel(move("Zoom in")), "Zoom in");
  for (const m of CAMERA_MOVE_GROUPS.flatMap((g) => g.moves)) {
    assert.ok(moveLabel(m).includes(m.command), `${m.label} hides ${m.command}`);
  }
});
