// The JSON gateway (`/api/v1/{Method}`, proto3 JSON) with the bearer token of this
// browser tab: kept in sessionStorage, so it goes when the tab closes and is never sent
// as a cookie. Identifiers only ever travel in request bodies, never in a URL.

const TOKEN = "erasure.token";

export function token() {
  return sessionStorage.getItem(TOKEN);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
}

/** A refusal or failure of the API: its gRPC code name and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}, t = token()) {
  const h = { ...extra };
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

async function failure(response, stored = true) {
  let code = "UNKNOWN";
  let message = `the server answered ${response.status}`;
  try {
    const body = await response.json();
    // The gateway's {code, message}, or the access layer's {error: {code, message}}.
    const e = body.error ?? body;
    code = typeof e.code === "string" ? e.code : codeOf(response.status);
    message = e.message ?? message;
  } catch {
    code = codeOf(response.status);
  }
  if (response.status === 401 && stored && token()) {
    // The token expired or was revoked: sign out, so that the sign-in form shows.
    signOut();
    window.dispatchEvent(new Event("erasure:signed-out"));
  }
  return new ApiError(response.status, code, message);
}

function codeOf(status) {
  return { 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED" }[status] ?? "UNKNOWN";
}

async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError(0, "UNAVAILABLE", "the server does not answer");
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/** Calls an API method: the request message in, the response message out. */
export async function call(method, request) {
  return (await post(`/api/v1/${method}`, request)).json();
}

/**
 * Who is signed in and which methods they may call: with the stored token, or with
 * `candidate` (a token being signed in with, stored only once it is accepted).
 */
export async function session(candidate) {
  const stored = candidate === undefined;
  const response = await fetch("/console/session", { headers: headers({}, stored ? token() : candidate) });
  if (!response.ok) throw await failure(response, stored);
  return response.json();
}

/** A rendered page (certificate, receipt, report) as a Blob. */
export async function rendered(path, body) {
  return (await post(path, body)).blob();
}

/** Saves `blob` as a file called `name`. */
export function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function saveText(text, name, type = "application/json") {
  save(new Blob([text], { type }), name);
}

/**
 * Follows a request (`Watch`, server-sent events) and calls `onState` with each state
 * until the request is final, the server ends the stream or `signal` aborts. Read with
 * fetch, since EventSource cannot send the Authorization header.
 */
export async function watch(requestId, onState, signal) {
  const url = `/api/v1/Watch?request_id=${encodeURIComponent(requestId)}`;
  const response = await fetch(url, { headers: headers({ Accept: "text/event-stream" }), signal });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { type: "message", data: [] };
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event.type = line.slice(6).trim();
        else if (line.startsWith("data:")) event.data.push(line.slice(5).replace(/^ /, ""));
      }
      if (!event.data.length) continue;
      const data = JSON.parse(event.data.join("\n"));
      if (event.type === "error") throw new ApiError(0, data.code, data.message);
      onState(data);
    }
  }
}
