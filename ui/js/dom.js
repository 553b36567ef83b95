// Small DOM builders, so views read as the structure they produce.

/** Creates an element with properties (className, textContent, dataset, on*: handlers) and children. */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    // ARIA as attributes: not every engine reflects every aria* property (WebKitGTK among them).
    else if (key.startsWith("aria")) node.setAttribute(`aria-${key.slice(4).toLowerCase()}`, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...[].concat(children).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** An inline error box with the message as the Rust side wrote it; the service's own words and
 * codes (`… (it said: …)`) go under a closed "Details". */
export function showError(err) {
  const message = String(err.message || err);
  const at = message.lastIndexOf(" (it said: ");
  const split = at >= 0 && message.endsWith(")");
  return el("div", { className: "error-box", role: "alert", dataset: { kind: err.kind || "internal" } }, [
    el("strong", { textContent: "Something went wrong" }),
    el("p", { textContent: split ? message.slice(0, at) : message }),
    split
      ? el("details", { className: "details" }, [el("summary", { textContent: "Details" }), el("p", { className: "muted", textContent: `The service said: ${message.slice(at + 11, -1)}` })])
      : null,
  ]);
}
