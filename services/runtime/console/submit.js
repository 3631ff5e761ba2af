// Submit: a person's identifiers, checked as they are typed, with how the request came
// in and how the person's identity was verified. Shows the request id and deadline.

import * as api from "./api.js";
import * as check from "./validate.js";
import { h, field, setError, notice, daysText, daysLeft } from "./dom.js";

/** Which server message concerns which field (messages name the kind, never the value). */
const FIELD_OF = [
  [/e-mail|identifiers\.email/, "email"],
  [/phone/, "phone"],
  [/identity code|national/, "nationalId"],
  [/customer id|customer_id/, "customerId"],
  [/jurisdiction/, "jurisdiction"],
  [/channel/, "channel"],
  [/verified_by/, "verifiedBy"],
  [/controller/, "controller"],
  [/no identifier given/, "email"],
];

export function render(main, ctx) {
  const f = {
    email: field({ label: "E-mail address", name: "email", type: "email", autocomplete: "off" }),
    phone: field({
      label: "Phone number",
      name: "phone",
      type: "tel",
      hint: "International (+358 40 123 4567) or national format (040 123 4567, read in the jurisdiction).",
      autocomplete: "off",
    }),
    nationalId: field({
      label: "National identity code",
      name: "national-id",
      hint: "Finnish henkilötunnus, e.g. 131052-308T.",
      autocomplete: "off",
    }),
    customerId: field({ label: "Customer number", name: "customer-id", autocomplete: "off" }),
    jurisdiction: field({
      label: "Jurisdiction",
      name: "jurisdiction",
      hint: "ISO 3166-1 code, e.g. FI. Empty: the deployment's default.",
      maxlength: 2,
      size: 4,
    }),
    channel: field({
      label: "Channel",
      name: "channel",
      options: [["phone", "Phone"], ["email", "E-mail"], ["chat", "Chat"], ["app", "App"], ["letter", "Letter"], ["in-person", "In person"]],
    }),
    controller: field({
      label: "Controller",
      name: "controller",
      hint: "Only where this deployment processes data for several controllers: the one the request is for.",
      autocomplete: "off",
    }),
    disclose: field({
      label: "The person asks to be told who received the data (GDPR Art. 19)",
      name: "disclose-recipients",
      type: "checkbox",
    }),
    verifiedBy: field({
      label: "Identity verified by",
      name: "verified-by",
      hint: "How, or by whom, the person's identity was checked (e.g. \"bank ID\", \"agent-7\").",
      required: true,
    }),
  };
  const checks = {
    email: check.email,
    phone: check.phone,
    nationalId: check.nationalId,
    jurisdiction: check.jurisdiction,
  };
  for (const [name, fn] of Object.entries(checks)) {
    f[name].input.addEventListener("blur", () => {
      const v = f[name].input.value.trim();
      setError(f[name], v ? fn(v) : null);
    });
  }
  // One key per filled-in form: submitting twice (a double click, a retry) is one request.
  let idempotencyKey = randomKey();
  const message = notice();
  const result = h("section", { class: "card result", "aria-live": "polite" });
  result.hidden = true;
  const button = h("button", { type: "submit", text: "Submit request" });
  const form = h("form", { class: "card", novalidate: true },
    h("h1", { text: "Submit an erasure request" }),
    h("fieldset", { class: "grid" }, h("legend", { text: "The person's identifiers (at least one)" }),
      f.email.wrap, f.phone.wrap, f.nationalId.wrap, f.customerId.wrap),
    h("fieldset", { class: "grid" }, h("legend", { text: "The request" }),
      f.jurisdiction.wrap, f.channel.wrap, f.verifiedBy.wrap, f.controller.wrap, f.disclose.wrap),
    message, button);

  form.addEventListener("input", () => {
    idempotencyKey = randomKey();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    for (const x of Object.values(f)) setError(x, null);
    const v = (name) => f[name].input.value.trim();
    let first = null;
    const fail = (name, text) => {
      setError(f[name], text);
      first ??= f[name].input;
    };
    for (const [name, fn] of Object.entries(checks)) {
      const problem = v(name) && fn(v(name));
      if (problem) fail(name, problem);
    }
    if (!v("email") && !v("phone") && !v("nationalId") && !v("customerId")) {
      fail("email", "Give at least one identifier: e-mail, phone, identity code or customer number.");
    }
    if (!v("verifiedBy")) fail("verifiedBy", "Say how the person's identity was verified.");
    if (first) {
      first.focus();
      return;
    }
    const list = (name) => (v(name) ? [v(name)] : []);
    button.disabled = true;
    try {
      const submitted = await api.call("Submit", {
        idempotencyKey,
        identifiers: {
          email: list("email"),
          phone: list("phone"),
          nationalId: list("nationalId").map((x) => x.toUpperCase()),
          customerId: list("customerId"),
        },
        jurisdiction: v("jurisdiction").toUpperCase(),
        channel: v("channel"),
        verifiedBy: v("verifiedBy"),
        controller: v("controller"),
        discloseRecipients: f.disclose.input.checked,
      });
      const view = await api.call("Get", { requestId: submitted.requestId });
      showResult(result, submitted, view);
      form.reset();
      idempotencyKey = randomKey();
      result.querySelector("a").focus();
    } catch (e) {
      const match = FIELD_OF.find(([re]) => re.test(e.message));
      if (e.code === "INVALID_ARGUMENT" && match) {
        setError(f[match[1]], e.message);
        f[match[1]].input.focus();
      } else {
        message.textContent = e.message;
      }
    } finally {
      button.disabled = false;
    }
  });
  main.append(form, result);
  f.email.input.focus();
}

/** 128 random bits in hex (crypto.randomUUID needs a secure context; this does not). */
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function showResult(result, submitted, view) {
  result.replaceChildren(
    h("h2", { text: submitted.existing ? "This request was submitted before" : "Request submitted" }),
    h("dl", {},
      h("dt", { text: "Request id" }),
      h("dd", {}, h("a", { href: `#/request/${submitted.requestId}`, class: "mono", id: "submitted-id", text: submitted.requestId })),
      h("dt", { text: "Deadline" }),
      h("dd", { id: "submitted-deadline", text: `${view.deadline} (${daysText(daysLeft(view.deadline))})` })),
  );
  result.hidden = false;
}
