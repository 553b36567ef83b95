// Hailuo's camera commands: the 15 moves, named plainly, and how they are written into a prompt.

/** The moves MiniMax documents, grouped the way a camera operator thinks of them. */
export const CAMERA_MOVE_GROUPS = [
  {
    name: "Slide",
    hint: "The camera itself travels.",
    moves: [
      { command: "Truck left", label: "Slide left" },
      { command: "Truck right", label: "Slide right" },
      { command: "Pedestal up", label: "Rise up" },
      { command: "Pedestal down", label: "Sink down" },
    ],
  },
  {
    name: "Turn",
    hint: "The camera stays put and turns.",
    moves: [
      { command: "Pan left", label: "Turn left" },
      { command: "Pan right", label: "Turn right" },
      { command: "Tilt up", label: "Tilt up" },
      { command: "Tilt down", label: "Tilt down" },
    ],
  },
  {
    name: "Closer or farther",
    hint: "Push and pull move the camera; zoom changes the lens.",
    moves: [
      { command: "Push in", label: "Move in" },
      { command: "Pull out", label: "Move back" },
      { command: "Zoom in", label: "Zoom in" },
      { command: "Zoom out", label: "Zoom out" },
    ],
  },
  {
    name: "Style",
    hint: "How the camera behaves through the shot.",
    moves: [
      { command: "Tracking shot", label: "Follow the subject" },
      { command: "Static shot", label: "Hold still" },
      { command: "Shake", label: "Handheld shake" },
    ],
  },
];

/**
 * A move's words in the picker: its plain name, then the command it puts in the prompt when the
 * two differ ("Move in [Push in]"), so what appears in the prompt is no surprise.
 */
export function moveLabel(move) {
  return move.label === move.command ? move.label : `${move.label} [${move.command}]`;
}

/** MiniMax runs up to three moves together when they share one bracket. */
export const MAX_MOVES_TOGETHER = 3;

const KNOWN = new Set(CAMERA_MOVE_GROUPS.flatMap((g) => g.moves.map((m) => m.command.toLowerCase())));

/** The bracket text for moves made together: `[Pan left,Pedestal up]`. */
export function cameraCommand(commands) {
  if (commands.length === 0) throw new Error("Choose at least one camera move.");
  if (commands.length > MAX_MOVES_TOGETHER) {
    throw new Error(`Up to ${MAX_MOVES_TOGETHER} camera moves can happen together.`);
  }
  for (const c of commands) {
    if (!KNOWN.has(c.toLowerCase())) throw new Error(`"${c}" is not a camera move Hailuo knows.`);
  }
  return `[${commands.join(",")}]`;
}

/**
 * Writes a camera command into the prompt at the cursor, with a space on either side where the
 * words would otherwise touch. Returns the new text and where the cursor goes.
 */
export function insertCameraCommand(text, cursor, commands) {
  const at = Math.max(0, Math.min(cursor ?? text.length, text.length));
  const before = text.slice(0, at);
  const after = text.slice(at);
  const needsSpaceBefore = before.length > 0 && !/\s$/.test(before);
  const needsSpaceAfter = after.length > 0 && !/^[\s.,;!?]/.test(after);
  const inserted = `${needsSpaceBefore ? " " : ""}${cameraCommand(commands)}${needsSpaceAfter ? " " : ""}`;
  return { text: before + inserted + after, cursor: before.length + inserted.length };
}

/**
 * Finds the camera commands typed in a prompt, so the UI can show them and warn about unknown
 * ones. Each bracket run is one step; the moves inside it happen together.
 */
export function findCameraCommands(text) {
  const steps = [];
  for (const match of text.matchAll(/\[([^\[\]]*)\]/g)) {
    const moves = match[1].split(",").map((m) => m.trim()).filter(Boolean);
    const unknown = moves.filter((m) => !KNOWN.has(m.toLowerCase()));
    steps.push({ text: match[0], index: match.index, moves, unknown, tooMany: moves.length > MAX_MOVES_TOGETHER });
  }
  return steps;
}
