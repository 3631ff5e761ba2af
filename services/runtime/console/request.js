// Request: its per-system progress, followed live (Watch) and updated in place; holds,
// backups and recipients; the actions the user's roles allow; the downloads.

import * as api from "./api.js";
import { h, field, attempt, notice, STATUS, TASK, OUTCOME, daysLeft, daysText, when } from "./dom.js";

export function render(main, ctx, id) {
  const abort = new AbortController();
  const live = h("p", { class: "muted live", role: "status" });
  const summary = h("dl", { class: "summary" });
  const progress = h("tbody");
  const holds = h("tbody");
  const recipients = h("tbody");
  const backups = h("tbody");
  const actions = h("div", { class: "actions" });
  const downloads = h("div", { class: "downloads" });
  const message = notice();
  const done = notice("ok");
  main.append(
    h("h1", {}, "Request ", h("span", { class: "mono", text: id })),
    live, message, summary,
    h("section", { class: "card" }, h("h2", { text: "Progress per system" }),
      h("table", { class: "list progress" },
        h("colgroup", {}, ["system", "state", "small", "outcome", "small", "when", ""].map((c) => h("col", { class: c || null }))),
        h("thead", {}, h("tr", {}, ["System", "State", "Attempt", "Outcome", "Items", "Answered", "Detail"].map((t) => h("th", { scope: "col", text: t })))),
        progress)),
    h("section", { class: "card" }, h("h2", { text: "Kept under a legal hold" }),
      h("table", { class: "list" },
        h("thead", {}, h("tr", {}, ["System", "Rule", "Category", "Items", "Kept until", "State", "Citation"].map((t) => h("th", { scope: "col", text: t })))),
        holds)),
    h("section", { class: "card" }, h("h2", { text: "Backups" }),
      h("table", { class: "list" },
        h("thead", {}, h("tr", {}, ["System", "May still hold the person until"].map((t) => h("th", { scope: "col", text: t })))),
        backups)),
    h("section", { class: "card" }, h("h2", { text: "Recipients (GDPR Art. 19)" }),
      h("table", { class: "list" },
        h("thead", {}, h("tr", {}, ["System", "Recipient", "Role", "Told via", "Told at", "Outcome"].map((t) => h("th", { scope: "col", text: t })))),
        recipients)),
    done, actions, downloads);

  let last = null;
  // States come from the stream only: an action's answer may arrive after a newer state
  // (the final one, say) and must not replace it. After an action on a request no longer
  // followed (a retry of a failed one), the stream starts again from the current state.
  let following = false;
  const show = (r) => {
    const firstTime = last === null;
    last = r;
    fillSummary(summary, r);
    fillProgress(progress, r);
    fillHolds(holds, r);
    fillRecipients(recipients, r);
    fillBackups(backups, r);
    // Forms keep what the user typed: they are rebuilt only when what they offer changes.
    const offered = JSON.stringify(offers(r, ctx));
    if (firstTime || actions.dataset.offered !== offered) {
      actions.dataset.offered = offered;
      fillActions(actions, r, ctx, () => following || follow(), done);
    }
    fillDownloads(downloads, r, ctx);
  };

  const follow = () => {
    following = true;
    if (last === null) live.textContent = "Connecting…";
    api.watch(id, (r) => {
      show(r);
      live.textContent = r.status === "REQUEST_STATUS_IN_PROGRESS" ? "Live: updates as systems answer." : "Final: no further updates.";
    }, abort.signal).then(() => {
      following = false;
      if (last?.status === "REQUEST_STATUS_IN_PROGRESS") live.textContent = "The live view ended; reload to follow again.";
    }, (e) => {
      following = false;
      if (abort.signal.aborted) return;
      live.textContent = "";
      message.textContent = e.message;
    });
  };
  follow();
  return () => abort.abort();
}

function fillSummary(dl, r) {
  const days = daysLeft(r.deadline);
  const open = r.status === "REQUEST_STATUS_IN_PROGRESS";
  const rows = [
    ["Status", STATUS[r.status] ?? r.status],
    ["Received", when(r.receivedAt)],
    ["Deadline", `${r.deadline}${open ? ` (${daysText(days)})` : ""}`],
    ["Jurisdiction", r.jurisdiction],
    ["Channel", r.channel],
    ["Submitted by", r.submittedBy],
  ];
  if (r.extendedMonths) rows.push(["Extended", `by ${r.extendedMonths} month(s) from ${r.originalDeadline} by ${r.extendedBy}: ${r.extensionReason}`]);
  if (r.completedAt) rows.push(["Completed", when(r.completedAt)]);
  if (r.rejectionReason) rows.push(["Rejected", `by ${r.rejectedBy}: ${r.rejectionReason}`]);
  if (r.controller) rows.push(["Controller", r.controller]);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v ?? "" })]));
  dl.classList.toggle("overdue", open && (r.overdue || days < 0));
}

function fillProgress(body, r) {
  // Rows are kept and their cells rewritten, so a live update never moves the page.
  const rows = new Map([...body.rows].map((tr) => [tr.dataset.system, tr]));
  for (const t of r.tasks ?? []) {
    let tr = rows.get(t.systemId);
    if (!tr) {
      const system = h("th", { scope: "row" }, h("span", { class: "mono", text: t.systemId }),
        t.manual ? " (manual)" : "", h("span", { class: "hint block", text: t.description ?? "" }));
      tr = h("tr", { "data-system": t.systemId }, system, ...Array.from({ length: 6 }, () => h("td")));
      body.append(tr);
    }
    const state = t.resolving ? "resolving identifiers" : TASK[t.state] ?? "planned";
    const cells = [
      null,
      state,
      t.attempt ?? 0,
      OUTCOME[t.outcome] ?? "",
      t.itemsAffected ?? "",
      when(t.answeredAt),
      [t.detail, t.attestedBy && `closed by ${t.attestedBy}`].filter(Boolean).join("; "),
    ];
    cells.forEach((text, i) => {
      if (text !== null && tr.cells[i].textContent !== String(text)) tr.cells[i].textContent = text;
    });
    tr.className = `task-${state.split(" ")[0]}`;
  }
}

function fillHolds(body, r) {
  const list = r.holds ?? [];
  body.replaceChildren(...(list.length ? list.map((x) => h("tr", {},
    [x.systemId, x.ruleId, x.category, x.items ?? 0, x.retainedUntil, x.state, x.citation].map((t) => h("td", { text: t ?? "" }))))
    : [h("tr", {}, h("td", { colspan: 7, class: "muted", text: "None." }))]));
}

/** Backup sets that may still hold the person, each until it ages out. */
function fillBackups(body, r) {
  const list = (r.tasks ?? []).filter((t) => t.inBackupsUntil);
  body.replaceChildren(...(list.length ? list.map((t) => h("tr", {},
    h("td", { text: `${t.systemId}${t.description ? ` — ${t.description}` : ""}` }),
    h("td", { text: `${t.inBackupsUntil} (${daysText(daysLeft(t.inBackupsUntil))})` })))
    : [h("tr", {}, h("td", { colspan: 2, class: "muted", text: "None." }))]));
}

function fillRecipients(body, r) {
  const list = r.recipients ?? [];
  body.replaceChildren(...(list.length ? list.map((x) => h("tr", {},
    [x.systemId, x.name, x.role, x.via, when(x.toldAt), OUTCOME[x.outcome] ?? ""].map((t) => h("td", { text: t ?? "" }))))
    : [h("tr", {}, h("td", { colspan: 6, class: "muted", text: "None." }))]));
}

/** The actions this user may take on `r` now. */
function offers(r, ctx) {
  const open = r.status === "REQUEST_STATUS_IN_PROGRESS";
  const tasks = r.tasks ?? [];
  return {
    extend: open && !r.extendedMonths && ctx.can("Extend"),
    retry: ctx.can("Retry") ? tasks.filter((t) => t.state === "TASK_STATE_FAILED").map((t) => t.systemId) : [],
    complete: open && ctx.can("CompleteTask")
      ? tasks.filter((t) => t.manual && t.state === "TASK_STATE_PENDING" && t.attempt > 0).map((t) => t.systemId) : [],
    reject: open && ctx.can("Reject"),
  };
}

function fillActions(box, r, ctx, changed, done) {
  const o = offers(r, ctx);
  const forms = [];
  const act = (title, fields, label, send, { danger = false, id } = {}) => {
    const message = notice();
    const button = h("button", { type: "submit", class: danger ? "danger" : "", text: label });
    const form = h("form", { class: "card action", novalidate: true, id }, h("h2", { text: title }),
      ...fields.map((f) => f.wrap), message, button);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      button.disabled = true;
      if (await attempt(fields, message, send)) {
        done.textContent = `${title}: done.`;
        changed();
      }
      button.disabled = false;
    });
    forms.push(form);
  };
  if (o.extend) {
    const months = field({ label: "Extend by", name: "months", options: [["1", "1 month"], ["2", "2 months"]] });
    const reason = field({ label: "Reason (told to the person)", name: "reason", type: "textarea", required: true });
    act("Extend the deadline", [months, reason], "Extend", () =>
      api.call("Extend", { requestId: r.requestId, months: Number(months.input.value), reason: reason.input.value.trim() }), { id: "extend" });
  }
  for (const system of o.retry) {
    const reason = field({ label: "Reason", name: "reason", type: "textarea" });
    act(`Retry ${system}`, [reason], "Retry", () =>
      api.call("Retry", { requestId: r.requestId, systemId: system, reason: reason.input.value.trim() }), { id: `retry-${system}` });
  }
  for (const system of o.complete) {
    const operator = field({
      label: "Done by",
      name: "operator",
      required: true,
      value: ctx.me?.subject || "",
      hint: ctx.me?.authenticated ? "Recorded as the signed-in user." : "Your name, for the record.",
    });
    const outcome = field({ label: "Outcome", name: "outcome", options: [["OUTCOME_ERASED", "Erased"], ["OUTCOME_NOTHING_FOUND", "Nothing found"]] });
    const evidence = field({
      label: "Evidence",
      name: "evidence",
      type: "textarea",
      required: true,
      hint: "What was done (a ticket number, a confirmation). None of the person's identifiers: it goes into the certificate.",
    });
    act(`Complete the manual task of ${system}`, [operator, outcome, evidence], "Complete task", () =>
      api.call("CompleteTask", {
        requestId: r.requestId,
        systemId: system,
        operator: operator.input.value.trim(),
        outcome: outcome.input.value,
        evidence: evidence.input.value.trim(),
      }), { id: `complete-${system}` });
  }
  if (o.reject) {
    const reason = field({ label: "Reason (told to the person)", name: "reason", type: "textarea", required: true, hint: "Why the request is manifestly unfounded or excessive (GDPR Art. 12(5))." });
    act("Refuse the request", [reason], "Refuse", () =>
      api.call("Reject", { requestId: r.requestId, reason: reason.input.value.trim() }), { danger: true, id: "reject" });
  }
  box.replaceChildren(...(forms.length ? [h("h2", { class: "section", text: "Actions" }), ...forms] : []));
}

function fillDownloads(box, r, ctx) {
  const key = `${r.certificateAvailable}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  const message = notice();
  const run = (fn) => async () => {
    message.textContent = "";
    try {
      await fn();
    } catch (e) {
      message.textContent = e.message;
    }
  };
  const items = [];
  if (r.certificateAvailable && ctx.can("GetCertificate")) {
    items.push(
      h("button", { type: "button", id: "download-certificate", onclick: run(async () => {
        const c = await api.call("GetCertificate", { requestId: r.requestId });
        api.saveText(c.certificateJson, `certificate-${r.requestId}.json`);
        (c.supplementJson ?? []).forEach((s, i) => api.saveText(s, `supplement-${r.requestId}-${i + 1}.json`));
      }), text: "Certificate (JSON)" }),
      h("button", { type: "button", onclick: run(async () => {
        api.save(await api.rendered("/console/certificate.html", { requestId: r.requestId }), `certificate-${r.requestId}.html`);
      }), text: "Certificate (HTML)" }));
  }
  if (ctx.can("Get")) {
    const language = field({ label: "Receipt language", name: "language", options: [["fi", "Suomi"], ["sv", "Svenska"], ["en", "English"], ["de", "Deutsch"]] });
    items.push(language.wrap, h("button", { type: "button", onclick: run(async () => {
      const lang = language.input.value;
      api.save(await api.rendered("/console/receipt.html", { requestId: r.requestId, language: lang }), `receipt-${r.requestId}-${lang}.html`);
    }), text: "Receipt for the person" }));
  }
  box.replaceChildren(...(items.length ? [h("section", { class: "card" }, h("h2", { text: "Downloads" }), h("div", { class: "row" }, ...items), message)] : []));
}
