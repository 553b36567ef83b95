// The only module that touches window.__TAURI__: every call to the Rust side goes through here,
// so the rest of the UI stays plain, testable JavaScript.

const tauri = window.__TAURI__;

/** An error from the Rust side: `kind` to branch on, `message` to show as it is. */
export class StudioError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

async function call(command, args, options) {
  if (!tauri) {
    throw new StudioError("no-backend", "Hailuo Studio's engine is not running. Start the app from its icon, not from a browser.");
  }
  try {
    return await tauri.core.invoke(command, args, options);
  } catch (err) {
    if (err && typeof err === "object" && "kind" in err) throw new StudioError(err.kind, err.message);
    throw new StudioError("internal", String(err));
  }
}

export const studio = {
  appStatus: () => call("app_status"),
  /** Plain text for a support request: version, OS, settings, which keys exist, recent log. */
  copyDiagnostics: () => call("copy_diagnostics"),
  listSavedKeys: () => call("list_saved_keys"),
  generationChoices: (request) => call("generation_choices", { request }),
  // Keys go in and never come back: these answer `{provider, endsWith}` at most.
  saveKey: (provider, key) => call("save_key", { provider, key }),
  removeKey: (provider) => call("remove_key", { provider }),
  testKey: (provider) => call("test_key", { provider }),
  /** Tests a pasted key without saving it. */
  tryKey: (provider, key) => call("try_key", { provider, key }),
  /** Opens the service's "keys" or "billing" page in the system browser. */
  openServicePage: (provider, page) => call("open_service_page", { provider, page }),
  getSettings: () => call("get_settings"),
  updateSettings: (settings) => call("update_settings", { settings }),
  chooseLibraryFolder: () => call("choose_library_folder"),
  restartApp: () => call("restart_app"),
  /** The price line: `{quote, elsewhere, overBudget}`, checked against Settings' budgets. */
  quoteGeneration: (request) => call("quote_generation", { request, utcOffsetMinutes: utcOffsetMinutes() }),
  spendingSummary: () => call("spending_summary", { utcOffsetMinutes: utcOffsetMinutes() }),
  /** Opens a save dialog; resolves to the file's path, or null when cancelled. */
  exportSpendingCsv: () => call("export_spending_csv", { utcOffsetMinutes: utcOffsetMinutes() }),

  /** First frames answer `{path, ...FirstFrameReport}`; the picker answers null when cancelled. */
  inspectFirstFrame: (path) => call("inspect_first_frame", { path }),
  pickFirstFrame: () => call("pick_first_frame"),
  /** Pasted picture bytes go as the raw request body, not as JSON numbers. */
  inspectPastedFirstFrame: (bytes) => call("inspect_pasted_first_frame", bytes),

  /** Queues a paid generation; answers its `GenerationCard`. */
  startGeneration: (request) => call("start_generation", { request }),
  /**
   * Calls `onCard(card)` with every unfinished generation, then again each time one changes.
   * Resolves once the app has started sending.
   */
  watchGenerations: (onCard) => {
    if (!tauri) return call("watch_generations");
    const onChange = new tauri.core.Channel();
    onChange.onmessage = onCard;
    return call("watch_generations", { onChange });
  },
  checkGenerationNow: (id) => call("check_generation_now", { id }),
  stopTrackingGeneration: (id) => call("stop_tracking_generation", { id }),
  downloadGenerationAgain: (id) => call("download_generation_again", { id }),
  /** A NEW paid generation with the same settings: ask the creator first. */
  retryGeneration: (id) => call("retry_generation", { id }),
  /** Every generation, newest first, with media-server URLs: `{root, generations, broken}`. */
  libraryList: () => call("library_list"),
  showGenerationInFolder: (id) => call("show_generation_in_folder", { id }),
  /** Opens a save dialog; resolves to the copy's path, or null when cancelled. */
  saveGenerationAs: (id) => call("save_generation_as", { id }),
  /** `removal` is "trash" or, after the creator confirmed it twice, "permanently". */
  deleteGeneration: (id, removal) => call("delete_generation", { id, removal }),
  /** A JPEG (Uint8Array) drawn from the video, sent as raw bytes; resolves to its media URL. */
  savePoster: (id, jpeg) => call("save_poster", jpeg, { headers: { "Generation-Id": id } }),
  /** Resolves to `{path}` of the saved last-frame picture. */
  saveLastFrame: (id, jpeg) => call("save_last_frame", jpeg, { headers: { "Generation-Id": id } }),
};

/** The creator's offset from UTC in minutes, so days and months end at their own midnight. */
function utcOffsetMinutes() {
  return -new Date().getTimezoneOffset();
}

/**
 * Calls `handler` with `{type: "over"}` while files are dragged over the window, `{type: "leave"}`
 * when they leave, and `{type: "drop", paths}` when they are dropped. The OS hands Tauri the drop
 * (the page itself only ever sees file names), so this is the only way to get the files' paths.
 * Returns a function that stops listening.
 */
export async function onFileDrop(handler) {
  if (!tauri) return () => {};
  const forward = ({ payload }) => {
    if (payload.type === "drop") handler({ type: "drop", paths: payload.paths ?? [] });
    else if (payload.type === "leave") handler({ type: "leave" });
    else handler({ type: "over" });
  };
  const webview = tauri.webview?.getCurrentWebview?.();
  if (webview?.onDragDropEvent) return webview.onDragDropEvent(forward);
  // Older globals: the same events, by name.
  const stops = await Promise.all([
    tauri.event.listen("tauri://drag-enter", () => handler({ type: "over" })),
    tauri.event.listen("tauri://drag-over", () => handler({ type: "over" })),
    tauri.event.listen("tauri://drag-leave", () => handler({ type: "leave" })),
    tauri.event.listen("tauri://drag-drop", (event) => handler({ type: "drop", paths: event.payload?.paths ?? [] })),
  ]);
  return () => stops.forEach((stop) => stop());
}

/** Listens to an app-wide notice; returns a function that stops listening. */
export async function onNotice(name, handler) {
  if (!tauri) return () => {};
  return tauri.event.listen(name, (event) => handler(event.payload));
}
