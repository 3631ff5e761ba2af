// The console's shell: who is signed in, the navigation, and which page shows.
// Pages are addressed by the URL's fragment (#/queue, #/request/ID); nothing about a
// person is ever put in it.

import * as api from "./api.js";
import { h, clear, notice, field } from "./dom.js";
import * as submit from "./submit.js";
import * as queue from "./queue.js";
import * as request from "./request.js";
import * as auditor from "./auditor.js";

const main = document.getElementById("main");
const who = document.getElementById("who");
const nav = document.getElementById("nav");

/** The methods a page needs (any one of them). */
const NEEDS = {
  submit: ["Submit"],
  queue: ["List"],
  tasks: ["ListTasks"],
  request: ["Get"],
  auditor: ["GetCertificate", "GetReport", "GetTreeHead", "GetConsistencyProof"],
};

let me = null;
let leave = null;

const ctx = {
  can: (method) => me?.methods.includes(method) ?? false,
  get me() {
    return me;
  },
  go: (path) => {
    location.hash = `#${path}`;
  },
};

async function start() {
  try {
    me = await api.session();
  } catch (e) {
    me = null;
    if (e.code !== "UNAUTHENTICATED") {
      showError(e);
      return;
    }
  }
  showWho();
  route();
}

function showWho() {
  clear(who);
  nav.hidden = !me;
  for (const link of nav.querySelectorAll("a")) {
    link.hidden = !link.dataset.needs.split(" ").some((m) => ctx.can(m));
  }
  if (!me) return;
  if (me.authenticated) {
    who.append(
      h("span", { text: `${me.subject} (${me.roles.join(", ")})` }),
      h("button", { type: "button", class: "link", onclick: signOut, text: "Sign out" }),
    );
  } else {
    who.append(h("span", { class: "muted", text: "open mode: no sign-in (loopback only)" }));
  }
}

function signOut() {
  api.signOut();
  me = null;
  showWho();
  route();
}

function loginPage() {
  const token = field({
    label: "Access token",
    name: "token",
    type: "password",
    hint: "The bearer token your organisation gave you (as for the erasure command). It is kept in this tab only.",
    autocomplete: "off",
    required: true,
  });
  const form = h("form", { class: "card narrow", novalidate: true },
    h("h1", { text: "Sign in" }), token.wrap,
    h("button", { type: "submit", text: "Sign in" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!token.input.value.trim()) {
      token.error.textContent = "Paste your token.";
      token.input.setAttribute("aria-invalid", "true");
      token.input.focus();
      return;
    }
    try {
      me = await api.session(token.input.value.trim());
    } catch (e) {
      token.error.textContent = e.message;
      token.input.setAttribute("aria-invalid", "true");
      token.input.focus();
      return;
    }
    api.signIn(token.input.value);
    showWho();
    if (location.hash === "" || location.hash === "#/") location.hash = defaultPage();
    else route();
  });
  main.append(form);
  token.input.focus();
}

function defaultPage() {
  if (ctx.can("Submit")) return "#/submit";
  if (ctx.can("GetTreeHead")) return "#/auditor";
  return "#/queue";
}

function showError(e) {
  clear(main);
  const p = notice();
  p.textContent = e.message;
  main.append(p);
}

function route() {
  if (leave) leave();
  leave = null;
  clear(main);
  if (!me) {
    loginPage();
    return;
  }
  const [, page, arg] = (location.hash.slice(1) || defaultPage().slice(1)).split("/");
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const pages = {
    submit: () => submit.render(main, ctx),
    queue: () => queue.render(main, ctx),
    tasks: () => queue.renderTasks(main, ctx),
    request: () => request.render(main, ctx, decodeURIComponent(arg ?? "")),
    auditor: () => auditor.render(main, ctx),
  };
  const show = pages[page];
  if (!show || !NEEDS[page].some((m) => ctx.can(m))) {
    location.hash = defaultPage();
    return;
  }
  leave = show() ?? null;
  // Focus moves to the new page (its first field, if it chose one), for keyboards and
  // screen readers.
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

window.addEventListener("hashchange", route);
window.addEventListener("erasure:signed-out", () => {
  me = null;
  showWho();
  route();
  const why = notice();
  why.textContent = "Your session ended (the token expired or is no longer valid): sign in again.";
  main.prepend(why);
});
start();
