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

async function call(command, args) {
  if (!tauri) {
    throw new StudioError("no-backend", "Hailuo Studio's engine is not running. Start the app from its icon, not from a browser.");
  }
  try {
    return await tauri.core.invoke(command, args);
  } catch (err) {
    if (err && typeof err === "object" && "kind" in err) throw new StudioError(err.kind, err.message);
    throw new StudioError("internal", String(err));
  }
}

export const studio = {
  appStatus: () => call("app_status"),
  listSavedKeys: () => call("list_saved_keys"),
  generationChoices: (request) => call("generation_choices", { request }),
  quoteGeneration: (request) => call("quote_generation", { request, utcOffsetMinutes: -new Date().getTimezoneOffset() }),
};

/** Listens to an app-wide notice; returns a function that stops listening. */
export async function onNotice(name, handler) {
  if (!tauri) return () => {};
  return tauri.event.listen(name, (event) => handler(event.payload));
}
