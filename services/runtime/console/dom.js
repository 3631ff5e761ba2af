// Small helpers to build the pages: elements, labelled fields with their error line,
// and the words shared by pages.

/** An element: `h("p", {class: "x", onclick: f}, "text", child)`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

let serial = 0;

/**
 * A labelled input (or select, textarea) with a hint and an error line it names in
 * aria-describedby: `{wrap, input, error}`.
 */
export function field({ label, name, type = "text", hint, options, rows, ...attrs }) {
  const id = `f-${name}-${++serial}`;
  const hintEl = hint ? h("span", { class: "hint", id: `${id}-hint`, text: hint }) : null;
  const error = h("span", { class: "error", id: `${id}-error`, "aria-live": "polite" });
  let input;
  if (options) {
    input = h("select", { id, name, ...attrs },
      options.map(([value, text]) => h("option", { value, text })));
  } else if (type === "textarea") {
    input = h("textarea", { id, name, rows: rows ?? 3, ...attrs });
  } else {
    input = h("input", { id, name, type, ...attrs });
  }
  input.setAttribute("aria-describedby", [hintEl && hintEl.id, error.id].filter(Boolean).join(" "));
  const wrap = h("div", { class: "field" }, h("label", { for: id, text: label }), hintEl, input, error);
  return { wrap, input, error };
}

/** Shows `message` next to the field (or clears it with an empty one). */
export function setError(f, message) {
  f.error.textContent = message ?? "";
  if (message) f.input.setAttribute("aria-invalid", "true");
  else f.input.removeAttribute("aria-invalid");
}

/**
 * Runs `action` for a form of `fields` whose required ones are filled in: clears earlier
 * errors, and shows a failure next to the field the server's message names (by its
 * name), else in `message`. Resolves to whether it succeeded.
 */
export async function attempt(fields, message, action) {
  message.textContent = "";
  fields.forEach((f) => setError(f, null));
  const missing = fields.find((f) => f.input.required && !f.input.value.trim());
  if (missing) {
    setError(missing, "Required.");
    missing.input.focus();
    return false;
  }
  try {
    await action();
    return true;
  } catch (e) {
    const f = fields.find((x) => e.message.includes(x.input.name));
    if (f) {
      setError(f, e.message);
      f.input.focus();
    } else {
      message.textContent = e.message;
    }
    return false;
  }
}

export function clear(el) {
  el.replaceChildren();
}

/** A form's message line, for errors that concern no single field. */
export function notice(kind = "error") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" });
}

export const STATUS = {
  REQUEST_STATUS_IN_PROGRESS: "in progress",
  REQUEST_STATUS_COMPLETED: "completed",
  REQUEST_STATUS_FAILED: "failed",
  REQUEST_STATUS_REJECTED: "rejected",
};

export const TASK = {
  TASK_STATE_PENDING: "pending",
  TASK_STATE_DONE: "done",
  TASK_STATE_FAILED: "failed",
};

export const OUTCOME = {
  OUTCOME_ERASED: "erased",
  OUTCOME_ANONYMISED: "anonymised",
  OUTCOME_NOTHING_FOUND: "nothing found",
  OUTCOME_RETAINED: "retained",
  OUTCOME_FAILED_RETRYABLE: "failed (will retry)",
  OUTCOME_FAILED_PERMANENT: "failed",
  OUTCOME_ACCEPTED: "accepted, answers later",
  OUTCOME_IN_BACKUPS: "erased; in backups until they expire",
};

/** Whole days from today (UTC) to `date` (YYYY-MM-DD); negative when past. */
export function daysLeft(date) {
  if (!date) return null;
  const today = new Date(new Date().toISOString().slice(0, 10));
  return Math.round((new Date(date) - today) / 86400000);
}

export function daysText(days) {
  if (days === null) return "";
  if (days < 0) return `${-days} ${-days === 1 ? "day" : "days"} overdue`;
  if (days === 0) return "due today";
  return `${days} ${days === 1 ? "day" : "days"} left`;
}

/** An RFC 3339 time as "2026-12-05 14:03 UTC". */
export function when(t) {
  return t ? `${t.slice(0, 10)} ${t.slice(11, 16)} UTC` : "";
}
