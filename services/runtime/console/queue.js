// Queue: requests sorted by deadline with days left, filtered by status and system;
// found by request id, or by a person's identifier (sent in the body of a List call,
// turned into a blind index by the server, never stored). Manual tasks: the recipients
// an operator must tell.

import * as api from "./api.js";
import { h, field, setError, notice, STATUS, daysLeft, daysText, when } from "./dom.js";

/** At most this many requests are listed at once. */
const MAX = 5000;

const KINDS = [
  ["email", "E-mail address"],
  ["phone", "Phone number"],
  ["nationalId", "National identity code"],
  ["customerId", "Customer number"],
];

export function render(main, ctx) {
  const status = field({
    label: "Status",
    name: "status",
    options: [
      ["REQUEST_STATUS_IN_PROGRESS", "Open (in progress)"],
      ["REQUEST_STATUS_UNSPECIFIED", "Any"],
      ["REQUEST_STATUS_COMPLETED", "Completed"],
      ["REQUEST_STATUS_FAILED", "Failed"],
      ["REQUEST_STATUS_REJECTED", "Rejected"],
    ],
  });
  const system = field({ label: "System", name: "system", hint: "A system id; empty: every system.", list: "systems", autocomplete: "off" });
  const systems = h("datalist", { id: "systems" });
  const kind = field({ label: "Search by", name: "kind", options: [["requestId", "Request id"], ...KINDS] });
  const value = field({ label: "Value", name: "value", autocomplete: "off", hint: "An identifier is looked up by its blind index; it is not kept." });
  const message = notice();
  const body = h("tbody");
  const caption = h("caption", { class: "muted" });
  const table = h("table", { class: "list queue" }, caption,
    h("thead", {}, h("tr", {},
      ["Request", "Status", "Received", "Deadline", "Days left", "Systems answered"].map((t) => h("th", { scope: "col", text: t })))),
    body);

  let search = null;
  const load = async () => {
    message.textContent = "";
    setError(system, null);
    setError(value, null);
    const request = { status: status.input.value, pageSize: 500, systemId: system.input.value.trim() };
    if (search) request.identifiers = { [search.kind]: [search.value] };
    try {
      // Every matching request, page by page, to sort them all by deadline (up to MAX).
      const requests = [];
      let more = false;
      do {
        const page = await api.call("List", request);
        requests.push(...(page.requests ?? []));
        request.pageToken = page.nextPageToken;
        more = Boolean(page.nextPageToken);
      } while (more && requests.length < MAX);
      show(requests, more);
    } catch (e) {
      if (/system/.test(e.message)) setError(system, e.message);
      else if (search) setError(value, e.message);
      else message.textContent = e.message;
    }
  };
  const show = (requests, more) => {
    requests.sort((a, b) => a.deadline.localeCompare(b.deadline) || a.requestId.localeCompare(b.requestId));
    const seen = new Set();
    body.replaceChildren(...requests.map((r) => {
      (r.tasks ?? []).forEach((t) => seen.add(t.systemId));
      const days = daysLeft(r.deadline);
      const open = r.status === "REQUEST_STATUS_IN_PROGRESS";
      const overdue = open && (r.overdue || days < 0);
      const answered = (r.tasks ?? []).filter((t) => t.state === "TASK_STATE_DONE").length;
      return h("tr", { class: overdue ? "overdue" : "" },
        h("td", {}, h("a", { href: `#/request/${r.requestId}`, class: "mono", text: r.requestId })),
        h("td", { text: STATUS[r.status] ?? r.status }),
        h("td", { text: when(r.receivedAt) }),
        h("td", { text: r.deadline }),
        h("td", {}, overdue ? h("strong", { class: "badge overdue", text: daysText(days) }) : open ? daysText(days) : ""),
        h("td", { text: `${answered} of ${(r.tasks ?? []).length}` }));
    }));
    systems.replaceChildren(...[...seen].sort().map((s) => h("option", { value: s })));
    caption.textContent = (search
      ? `${requests.length} request(s) of the person searched for, by deadline`
      : `${requests.length} request(s), by deadline`) + (more ? ` (the newest ${MAX} only: narrow the filter)` : "");
  };

  const filters = h("form", { class: "card filters", novalidate: true },
    h("h2", { text: "Filter" }),
    h("div", { class: "row" }, status.wrap, system.wrap, systems,
      h("button", { type: "submit", text: "Show" })));
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  status.input.addEventListener("change", load);

  const searchForm = h("form", { class: "card filters", novalidate: true, role: "search" },
    h("h2", { text: "Find a request" }),
    h("div", { class: "row" }, kind.wrap, value.wrap,
      h("button", { type: "submit", text: "Find" }),
      h("button", { type: "button", class: "secondary", text: "Clear search", onclick: () => {
        search = null;
        value.input.value = "";
        load();
      } })));
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    setError(value, null);
    const v = value.input.value.trim();
    if (!v) {
      setError(value, "Type a request id or an identifier.");
      value.input.focus();
      return;
    }
    if (kind.input.value === "requestId") {
      ctx.go(`/request/${encodeURIComponent(v)}`);
      return;
    }
    search = { kind: kind.input.value, value: v };
    // The value is kept only in this closure, never in the address or storage.
    load();
  });
  main.append(h("h1", { text: "Queue" }), h("div", { class: "pair" }, filters, searchForm), message, table);
  load();
}

export function renderTasks(main, ctx) {
  const message = notice();
  const body = h("tbody");
  main.append(h("h1", { text: "Manual tasks" }),
    h("p", { class: "muted", text: "Recipients without an API: tell them, then complete the task on the request's page with your evidence." }),
    message,
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["Request", "System", "Recipient", "Opened", "Deadline"].map((t) => h("th", { scope: "col", text: t })))),
      body));
  api.call("ListTasks", {}).then((page) => {
    body.replaceChildren(...(page.tasks ?? []).map((t) => h("tr", { class: t.overdue ? "overdue" : "" },
      h("td", {}, h("a", { href: `#/request/${t.requestId}`, class: "mono", text: t.requestId })),
      h("td", { text: `${t.systemId}${t.description ? ` (${t.description})` : ""}` }),
      h("td", { text: t.recipient ?? "" }),
      h("td", { text: when(t.openedAt) }),
      h("td", { text: `${t.deadline} (${daysText(daysLeft(t.deadline))})` }))));
  }, (e) => {
    message.textContent = e.message;
  });
}
