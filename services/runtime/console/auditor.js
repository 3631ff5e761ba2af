// Auditor: certificates, the period report, tree heads and consistency proofs, each
// saved as the file `erasure verify` checks offline.

import * as api from "./api.js";
import { h, field, attempt, notice } from "./dom.js";

export function render(main, ctx) {
  main.append(h("h1", { text: "Auditor" }),
    h("p", { class: "muted" }, "Each file is checked offline with ", h("code", { text: "erasure verify" }),
      " and the operator's public keys (trust.json)."));
  if (ctx.can("GetCertificate")) main.append(certificate());
  if (ctx.can("GetReport")) main.append(report());
  if (ctx.can("GetTreeHead")) main.append(treeHead());
  if (ctx.can("GetConsistencyProof")) main.append(consistency());
}

/** A card with fields and buttons; each button's action gets the field values. */
function card(title, fields, buttons) {
  const message = notice();
  const form = h("form", { class: "card action", novalidate: true }, h("h2", { text: title }),
    h("div", { class: "row" }, ...fields.map((f) => f.wrap)), message);
  for (const [label, action] of buttons) {
    form.append(h("button", { type: "button", text: label, onclick: async () => {
      if (await attempt(fields, message, action)) {
        const ok = notice("ok");
        ok.textContent = "Saved.";
        message.replaceWith(ok);
        setTimeout(() => ok.replaceWith(message), 3000);
      }
    } }));
  }
  return form;
}

function certificate() {
  const id = field({ label: "Request id", name: "request_id", required: true, autocomplete: "off" });
  const requestId = () => id.input.value.trim();
  return card("Certificate", [id], [
    ["Certificate (JSON)", async () => {
      const c = await api.call("GetCertificate", { requestId: requestId() });
      api.saveText(c.certificateJson, `certificate-${requestId()}.json`);
      (c.supplementJson ?? []).forEach((s, i) => api.saveText(s, `supplement-${requestId()}-${i + 1}.json`));
    }],
    ["Certificate (HTML)", async () => {
      api.save(await api.rendered("/console/certificate.html", { requestId: requestId() }), `certificate-${requestId()}.html`);
    }],
  ]);
}

function report() {
  const year = new Date().getUTCFullYear();
  const from = field({ label: "From", name: "from", type: "date", required: true, value: `${year}-01-01` });
  const to = field({ label: "To", name: "to", type: "date", required: true, value: new Date().toISOString().slice(0, 10) });
  const period = () => ({ from: from.input.value, to: to.input.value });
  return card("Period report", [from, to], [
    ["Report (JSON)", async () => {
      const r = await api.call("GetReport", period());
      api.saveText(r.reportJson, `report-${period().from}-${period().to}.json`);
    }],
    ["Report (HTML)", async () => {
      api.save(await api.rendered("/console/report.html", period()), `report-${period().from}-${period().to}.html`);
    }],
  ]);
}

function treeHead() {
  const size = field({ label: "Tree size", name: "tree_size", type: "number", min: 0, hint: "Empty: the latest head." });
  return card("Tree head", [size], [
    ["Tree head (JSON)", async () => {
      const head = await api.call("GetTreeHead", { treeSize: size.input.value || "0" });
      api.saveText(head.treeHeadJson, `tree-head-${head.treeSize}.json`);
    }],
  ]);
}

function consistency() {
  const from = field({ label: "From size", name: "from_size", type: "number", min: 1, required: true });
  const to = field({ label: "To size", name: "to_size", type: "number", min: 1, required: true });
  return card("Consistency proof", [from, to], [
    ["Consistency proof (JSON)", async () => {
      const p = await api.call("GetConsistencyProof", { fromSize: from.input.value, toSize: to.input.value });
      api.saveText(p.proofJson, `consistency-${from.input.value}-${to.input.value}.json`);
    }],
  ]);
}
