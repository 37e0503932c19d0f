/*
 * The Kent SEND assistant's web chat. One script tag embeds it in any page:
 *
 *   <script src="https://ASSISTANT-HOST/widget.js" defer></script>
 *
 * It mounts into an element with the data-kent-send-chat attribute if the page has one,
 * or else just before the script tag. Everything it needs (styles, interface strings,
 * answers) comes from the server the script was loaded from.
 *
 * No framework and no build step: plain DOM code, with short functions.
 * No inline styles and no inline scripts, so the page's Content-Security-Policy can
 * forbid both.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const BASE = new URL(".", script.src).href.replace(/\/$/, "");
  const STORAGE_KEY = "kent-send-chat";
  const FILE_NAME = "kent-send-conversation.txt";

  const state = {
    sessionId: null,
    language: null,
    chosen: false, // true once the family picks a language; until then the server detects it
    easy: false,
    lastTopic: null,
    transcript: [],
    callback: null, // null, "open" or a reference once sent
    dates: null, // the calculation chosen while the "Work out my dates" form is open
  };
  let ui = null; // { strings, languages, direction, helpContacts }
  let root = null;

  /* ---------- Small helpers ---------- */

  /** Build an element: el("p", {class: "x", onclick: fn}, "text", child). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
    return node;
  }

  function t(key, values) {
    let text = ui.strings[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.replace("{" + name + "}", value);
    return text;
  }

  /** A translated sentence with an element where its {name} placeholder is, wherever the language puts it. */
  function withValue(key, name, node) {
    const [before, after] = t(key).split("{" + name + "}");
    return [before, node, after || ""];
  }

  function hidden(text) {
    return el("span", { class: "govuk-visually-hidden" }, text);
  }

  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* ---------- Saving the conversation in this tab ---------- */

  function load() {
    try {
      Object.assign(state, JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || {});
    } catch {
      // Storage turned off or unreadable: start a fresh conversation.
    }
    state.sessionId = state.sessionId || newSessionId();
  }

  function save() {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch {
      // Storage full or turned off: the chat still works, it just won't survive a reload.
    }
  }

  /* ---------- Talking to the server ---------- */

  async function getJSON(path) {
    const response = await fetch(BASE + path);
    if (!response.ok) throw new Error(path + " answered " + response.status);
    return response.json();
  }

  async function postJSON(path, body) {
    const response = await fetch(BASE + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      // Not JSON: the status alone tells us what happened.
    }
    return { status: response.status, data: data };
  }

  async function loadStrings(language) {
    const query = language ? "?language=" + encodeURIComponent(language) : "";
    const data = await getJSON("/api/strings" + query);
    ui = { strings: data.strings, languages: data.languages, direction: data.direction, helpContacts: data.help_contacts,
      dateForms: data.date_forms || [], limits: data.limits };
    state.language = data.language;
  }

  /* ---------- Building the chat ---------- */

  function render(focusId) {
    const next = chat();
    if (root) root.replaceWith(next);
    else mountPoint().append(next);
    root = next;
    const target = focusId && document.getElementById(focusId);
    if (target) target.focus();
  }

  function mountPoint() {
    const existing = document.querySelector("[data-kent-send-chat]");
    if (existing) return existing;
    const created = el("div", { "data-kent-send-chat": true });
    script.before(created);
    return created;
  }

  function chat() {
    return el("section", { class: "kent-chat", "aria-labelledby": "kc-title", lang: state.language, dir: ui.direction },
      el("h2", { class: "govuk-heading-l", id: "kc-title" }, t("title")),
      el("p", { class: "govuk-body" }, t("intro")),
      el("p", { class: "govuk-body" }, t("personal"), " ",
        el("a", { class: "govuk-link", href: BASE + "/privacy" }, t("privacy_link")), "."),
      controls(),
      el("div", { id: "kc-log", class: "kent-chat__log", role: "log", "aria-live": "polite", "aria-label": t("conversation") },
        state.transcript.map(entryView)),
      el("p", { id: "kc-waiting", class: "govuk-body kent-chat__waiting", hidden: true }, t("waiting")),
      el("div", { id: "kc-panel", class: "kent-chat__panel" }, callbackPanel() || datesPanel()),
      composer(),
      tools());
  }

  function controls() {
    return el("div", { class: "kent-chat__controls" },
      ui.languages.length > 1 ? languageSwitch() : null,
      el("div", { class: "govuk-checkboxes govuk-checkboxes--small kent-chat__easy" },
        el("div", { class: "govuk-checkboxes__item" },
          el("input", { class: "govuk-checkboxes__input", id: "kc-easy", type: "checkbox", checked: state.easy,
            "aria-describedby": "kc-easy-hint", onchange: (event) => { state.easy = event.target.checked; save(); } }),
          el("label", { class: "govuk-label govuk-checkboxes__label", for: "kc-easy" }, t("easy_read")),
          el("div", { class: "govuk-hint govuk-checkboxes__hint", id: "kc-easy-hint" }, t("easy_read_hint")))),
      el("div", { class: "govuk-button-group" },
        el("button", { type: "button", id: "kc-person", class: "govuk-button govuk-button--secondary",
          onclick: () => choose("/talk_to_person", t("talk_to_person")) }, t("talk_to_person")),
        ui.dateForms.length ? el("button", { type: "button", id: "kc-dates-open", class: "govuk-button govuk-button--secondary",
          onclick: openDates }, t("dates_button")) : null,
        el("button", { type: "button", id: "kc-restart", class: "govuk-button govuk-button--secondary",
          onclick: startAgain }, t("start_again"))));
  }

  function languageSwitch() {
    return el("div", { class: "kent-chat__languages", role: "group", "aria-labelledby": "kc-language-label" },
      el("p", { class: "govuk-body govuk-!-font-weight-bold", id: "kc-language-label" }, t("language")),
      el("ul", { class: "kent-chat__language-list" },
        ui.languages.map((language) => el("li", {},
          el("button", {
            type: "button", id: "kc-lang-" + language.code, lang: language.code, dir: language.direction,
            class: "govuk-button govuk-button--secondary kent-chat__language",
            "aria-pressed": String(language.code === state.language),
            onclick: () => switchLanguage(language.code),
          }, language.name)))));
  }

  function composer() {
    return el("form", { class: "kent-chat__composer", novalidate: true, onsubmit: submitQuestion },
      el("div", { class: "govuk-form-group", id: "kc-question-group" },
        el("label", { class: "govuk-label govuk-label--s", for: "kc-input" }, t("question")),
        el("div", { class: "govuk-hint", id: "kc-input-hint" }, t("question_hint")),
        el("p", { class: "govuk-error-message", id: "kc-input-error", hidden: true }, hidden(t("error") + " "), t("question_error")),
        el("div", { class: "kent-chat__ask" },
          el("input", { class: "govuk-input", id: "kc-input", name: "question", type: "text", autocomplete: "off",
            maxlength: ui.limits.text, "aria-describedby": "kc-input-hint" }),
          el("button", { type: "submit", class: "govuk-button kent-chat__send" }, t("send")))));
  }

  function tools() {
    return el("div", { class: "govuk-button-group kent-chat__tools" },
      el("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: download }, t("download")),
      el("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: () => window.print() }, t("print")));
  }

  /* ---------- Messages ---------- */

  function entryView(entry, index) {
    return entry.from === "you" ? yourMessage(entry) : assistantMessage(entry, index);
  }

  function yourMessage(entry) {
    return el("div", { class: "kent-chat__message kent-chat__message--you" },
      el("p", { class: "govuk-body-s kent-chat__from" }, t("you")),
      el("p", { class: "govuk-body kent-chat__text", dir: "auto" }, entry.text));
  }

  function assistantMessage(entry, index) {
    const message = entry.message;
    return el("div", { class: "kent-chat__message kent-chat__message--assistant kent-chat__message--" + message.kind,
      lang: message.language || null, dir: directionOf(message.language) },
      el("p", { class: "govuk-body-s kent-chat__from" }, t("assistant")),
      messageBody(message),
      servicesList(message),
      calendarLinks(message),
      choices(message.buttons || []),
      message.kind === "answer" ? feedbackView(entry, index) : null);
  }

  /** The server's sanitised HTML, with GOV.UK classes; contact cards replace the plain list of contacts. */
  function messageBody(message) {
    const body = el("div", { class: "govuk-body kent-chat__text" });
    if (message.html) {
      const template = document.createElement("template");
      template.innerHTML = message.html;
      body.append(template.content);
    } else {
      body.append(el("p", {}, message.text));
    }
    // An answer not yet translated is English after a note in the family's language: each block
    // takes the direction of its own text, so English stays left to right inside an Urdu chat.
    body.querySelectorAll("p, ul, ol, li").forEach((block) => block.setAttribute("dir", "auto"));
    body.querySelectorAll("a").forEach((link) => link.classList.add("govuk-link"));
    // The assistant's own pages (such as /services) live on its server, not the site the chat is embedded in.
    body.querySelectorAll("a[href^='/']").forEach((link) => link.setAttribute("href", BASE + link.getAttribute("href")));
    body.querySelectorAll("ul").forEach((list) => list.classList.add("govuk-list", "govuk-list--bullet"));
    body.querySelectorAll("ol").forEach((list) => list.classList.add("govuk-list", "govuk-list--number"));
    if (message.cards && message.cards.length) {
      const cards = el("ul", { class: "govuk-list kent-chat__cards", "aria-label": t("contacts") }, message.cards.map(card));
      const list = body.querySelector("ul");
      if (list) list.replaceWith(cards);
      else body.append(cards);
    }
    return body;
  }

  function card(contact) {
    const status = contact.status && el("p", {
      class: "kent-chat__status kent-chat__status--" + (contact.open_now === false ? "closed" : "open"),
    }, contact.status);
    return el("li", { class: "kent-chat__card" },
      el("p", { class: "kent-chat__card-name" }, contact.name),
      status,
      detail("phone", contact.tel && el("a", { class: "govuk-link", href: contact.tel }, contact.phone)),
      detail("text_relay", contact.text_relay),
      contact.text ? el("p", {}, contact.text) : null,
      detail("email", contact.email && el("a", { class: "govuk-link", href: "mailto:" + contact.email }, contact.email)),
      detail("website", contact.web && el("a", { class: "govuk-link", href: contact.web }, contact.web.replace(/^https?:\/\//, "").replace(/\/.*$/, ""))));
  }

  /** Services from the Local Offer's directory: in English, as the feed gives them; each opens its own page. */
  function servicesList(message) {
    const services = message.services || [];
    if (!services.length) return null;
    return el("ul", { class: "govuk-list kent-chat__services", "aria-label": t("services") },
      services.map((service) => el("li", { class: "kent-chat__card" },
        el("p", { class: "kent-chat__card-name", lang: "en", dir: "ltr" },
          el("a", { class: "govuk-link", href: BASE + "/services/" + encodeURIComponent(service.id) }, service.name)),
        service.organisation ? el("p", { class: "govuk-body-s", lang: "en", dir: "ltr" }, service.organisation) : null,
        el("p", { lang: "en", dir: "ltr" }, service.description),
        detail("area", service.area),
        detail("ages", service.age_range),
        detail("phone", service.phone && el("a", { class: "govuk-link", href: "tel:" + service.phone.replace(/[^0-9+]/g, "") }, service.phone)),
        detail("email", service.email && el("a", { class: "govuk-link", href: "mailto:" + service.email }, service.email)),
        service.out_of_date ? el("p", {}, el("strong", { class: "govuk-tag govuk-tag--yellow" }, t("out_of_date"))) : null)));
  }

  /** "Add to my calendar" for each worked-out date still to come: an .ics file, made from the link alone. */
  function calendarLinks(message) {
    const dates = (message.dates || []).filter((item) => !item.passed);
    if (!dates.length) return null;
    return el("ul", { class: "govuk-list kent-chat__calendar" }, dates.map((item) => el("li", {},
      el("a", { class: "govuk-link", download: "deadline-" + item.date + ".ics",
        href: BASE + "/api/dates.ics?" + new URLSearchParams({ what: item.what, date: item.date, language: message.language || state.language }) },
      t("add_to_calendar"), hidden(": " + item.what)))));
  }

  function detail(key, value) {
    return value ? el("p", {}, t(key) + ": ", value) : null;
  }

  function choices(buttons) {
    if (!buttons.length) return null;
    return el("div", { class: "govuk-button-group kent-chat__choices" },
      buttons.map((button) => el("button", { type: "button", class: "govuk-button govuk-button--secondary",
        onclick: () => choose(button.payload, button.title) }, button.title)));
  }

  function directionOf(code) {
    const language = ui.languages.find((candidate) => candidate.code === code);
    return language ? language.direction : null;
  }

  function addEntry(entry) {
    state.transcript.push(entry);
    save();
    const view = entryView(entry, state.transcript.length - 1);
    document.getElementById("kc-log").append(view);
    return view;
  }

  /* ---------- Asking ---------- */

  function submitQuestion(event) {
    event.preventDefault();
    const input = document.getElementById("kc-input");
    const text = input.value.trim();
    showQuestionError(!text);
    if (!text) return;
    input.value = "";
    input.focus();
    ask(text, text);
  }

  function showQuestionError(show) {
    const input = document.getElementById("kc-input");
    document.getElementById("kc-input-error").hidden = !show;
    document.getElementById("kc-question-group").classList.toggle("govuk-form-group--error", show);
    input.classList.toggle("govuk-input--error", show);
    input.setAttribute("aria-describedby", show ? "kc-input-hint kc-input-error" : "kc-input-hint");
    if (show) input.focus();
  }

  /** A button's payload goes to the server; its title is what the family sees they said. */
  function choose(payload, title) {
    document.getElementById("kc-input").focus();
    ask(payload, title);
  }

  async function startAgain() {
    state.transcript = [];
    state.lastTopic = null;
    state.callback = null;
    state.dates = null;
    save();
    document.getElementById("kc-log").replaceChildren();
    document.getElementById("kc-panel").replaceChildren();
    document.getElementById("kc-input").focus();
    await ask("/start_again", t("start_again"));
  }

  async function ask(text, shown) {
    addEntry({ from: "you", text: shown });
    setWaiting(true);
    let reply;
    try {
      const response = await postJSON("/api/chat", {
        session_id: state.sessionId, text: text, language: state.chosen ? state.language : undefined,
        reading_level: state.easy ? "easy" : "standard",
      });
      if (response.status !== 200) throw new Error("chat answered " + response.status);
      reply = response.data;
    } catch {
      reply = { messages: [unavailableMessage()] };
    } finally {
      setWaiting(false);
    }
    showReply(reply);
    await followLanguage(reply.language);
  }

  /** A family who writes in Polish gets the chat's buttons and labels in Polish too. */
  async function followLanguage(language) {
    if (state.chosen || !language || language === state.language) return;
    if (!ui.languages.some((candidate) => candidate.code === language)) return;
    try {
      await loadStrings(language);
    } catch {
      return;
    }
    save();
    render("kc-input");
  }

  function showReply(reply) {
    if (reply.direction) {
      ui.direction = reply.direction;
      root.setAttribute("dir", reply.direction);
    }
    let first = null;
    for (const message of reply.messages) {
      if (message.topic) state.lastTopic = message.topic;
      const view = addEntry({ from: "assistant", message: message, feedback: null });
      first = first || view;
    }
    if (first) first.scrollIntoView({ block: "nearest" });
    if (reply.messages.some((message) => message.form === "callback")) openCallback();
  }

  function unavailableMessage() {
    return { kind: "fallback", text: t("unavailable"), html: null, buttons: [], language: state.language,
      cards: ui.helpContacts.map((contact) => ({ name: contact.name, phone: contact.phone, tel: contact.tel, email: contact.email })) };
  }

  function setWaiting(waiting) {
    document.getElementById("kc-waiting").hidden = !waiting;
  }

  async function switchLanguage(code) {
    try {
      await loadStrings(code);
    } catch {
      return; // The server is not answering; keep the current language.
    }
    state.chosen = true;
    save();
    render("kc-lang-" + code);
  }

  /* ---------- Feedback on answers ---------- */

  function feedbackView(entry, index) {
    const box = el("div", { class: "kent-chat__feedback" });
    fillFeedback(box, entry, index);
    return box;
  }

  function fillFeedback(box, entry, index) {
    if (entry.feedback === "sent") {
      box.replaceChildren(el("p", { class: "govuk-body-s", id: "kc-thanks-" + index, tabindex: "-1" }, t("feedback_thanks")));
    } else if (entry.feedback === "no") {
      box.replaceChildren(commentForm(box, entry, index));
    } else {
      box.replaceChildren(
        el("p", { class: "govuk-body-s kent-chat__helpful", id: "kc-helpful-" + index }, t("helpful")),
        el("div", { class: "govuk-button-group", role: "group", "aria-labelledby": "kc-helpful-" + index },
          el("button", { type: "button", class: "govuk-button govuk-button--secondary",
            onclick: () => sendFeedback(box, entry, index, true, null) }, t("yes")),
          el("button", { type: "button", class: "govuk-button govuk-button--secondary",
            onclick: () => askForComment(box, entry, index) }, t("no"))));
    }
  }

  function askForComment(box, entry, index) {
    entry.feedback = "no";
    save();
    fillFeedback(box, entry, index);
    document.getElementById("kc-comment-" + index).focus();
  }

  function commentForm(box, entry, index) {
    const id = "kc-comment-" + index;
    return el("form", { class: "kent-chat__comment", novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      sendFeedback(box, entry, index, false, document.getElementById(id).value.trim() || null);
    } },
    el("div", { class: "govuk-form-group" },
      el("label", { class: "govuk-label govuk-label--s", for: id }, t("comment")),
      el("div", { class: "govuk-hint", id: id + "-hint" }, t("comment_hint")),
      el("textarea", { class: "govuk-textarea", id: id, name: "comment", rows: 3, maxlength: ui.limits.comment, "aria-describedby": id + "-hint" })),
    el("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, t("send_feedback")));
  }

  async function sendFeedback(box, entry, index, helpful, comment) {
    const body = { session_id: state.sessionId, topic: entry.message.topic || null, helpful: helpful };
    if (comment) body.comment = comment;
    let sent = false;
    try {
      sent = (await postJSON("/api/feedback", body)).status === 201;
    } catch {
      sent = false;
    }
    if (!sent) {
      box.append(el("p", { class: "govuk-error-message", role: "alert" }, t("feedback_failed")));
      return;
    }
    entry.feedback = "sent";
    save();
    fillFeedback(box, entry, index);
    document.getElementById("kc-thanks-" + index).focus();
  }

  /* ---------- Call-back form ---------- */

  const CALLBACK_FIELDS = [
    { name: "name", label: "callback_name", type: "text", autocomplete: "name" },
    { name: "phone", label: "callback_phone", hint: "callback_phone_hint", type: "tel", autocomplete: "tel" },
    { name: "email", label: "callback_email", type: "email", autocomplete: "email" },
    { name: "preferred_time", label: "callback_time", hint: "callback_time_hint", type: "text" },
    { name: "message", label: "callback_message", textarea: true },
  ];
  // The API names the field; "contact" means neither a phone number nor an email was given.
  const ERROR_FIELD = { contact: "phone" };
  const ERROR_TEXT = { name: "error_name", phone: "error_phone", email: "error_email", contact: "error_contact",
    preferred_time: "error_time", message: "error_message", consent: "error_consent" };

  function openCallback() {
    state.callback = "open";
    state.dates = null;
    save();
    showCallback({}, {});
    document.getElementById("kc-callback-title").focus();
  }

  function callbackPanel() {
    if (state.callback === "open") return callbackForm({}, {});
    return null;
  }

  function showCallback(values, errors) {
    document.getElementById("kc-panel").replaceChildren(callbackForm(values, errors));
  }

  function callbackForm(values, errors) {
    return el("form", { class: "kent-chat__callback", id: "kc-callback", novalidate: true, onsubmit: submitCallback },
      el("h3", { class: "govuk-heading-m", id: "kc-callback-title", tabindex: "-1" }, t("callback_title")),
      errorSummary(errors, values),
      CALLBACK_FIELDS.map((field) => formGroup(field, values[field.name] || "", fieldError(field.name, errors, values))),
      el("p", { class: "govuk-body" }, t("callback_privacy"), " ",
        el("a", { class: "govuk-link", href: BASE + "/privacy" }, t("privacy_link")), "."),
      consentGroup(values.consent, errors.consent ? t("error_consent") : null),
      el("button", { type: "submit", class: "govuk-button" }, t("callback_submit")));
  }

  function fieldError(name, errors, values) {
    const key = Object.keys(errors).find((field) => (ERROR_FIELD[field] || field) === name);
    if (!key) return null;
    if (key === "name" && (values.name || "").length > ui.limits.name) return t("error_name_long");
    return t(ERROR_TEXT[key]);
  }

  function formGroup(field, value, error) {
    const id = "kc-cb-" + field.name;
    const described = [field.hint && id + "-hint", error && id + "-error"].filter(Boolean).join(" ") || null;
    const attrs = { id: id, name: field.name, "aria-describedby": described, autocomplete: field.autocomplete };
    const control = field.textarea
      ? el("textarea", Object.assign(attrs, { class: "govuk-textarea" + (error ? " govuk-textarea--error" : ""), rows: 4 }), value)
      : el("input", Object.assign(attrs, { class: "govuk-input" + (error ? " govuk-input--error" : ""), type: field.type,
        value: value, spellcheck: field.type === "email" ? "false" : null }));
    return el("div", { class: "govuk-form-group" + (error ? " govuk-form-group--error" : "") },
      el("label", { class: "govuk-label", for: id }, t(field.label)),
      field.hint ? el("div", { class: "govuk-hint", id: id + "-hint" }, t(field.hint)) : null,
      error ? el("p", { class: "govuk-error-message", id: id + "-error" }, hidden(t("error") + " "), error) : null,
      control);
  }

  function consentGroup(checked, error) {
    return el("div", { class: "govuk-form-group" + (error ? " govuk-form-group--error" : "") },
      error ? el("p", { class: "govuk-error-message", id: "kc-cb-consent-error" }, hidden(t("error") + " "), error) : null,
      el("div", { class: "govuk-checkboxes" },
        el("div", { class: "govuk-checkboxes__item" },
          el("input", { class: "govuk-checkboxes__input", id: "kc-cb-consent", name: "consent", type: "checkbox",
            checked: Boolean(checked), "aria-describedby": error ? "kc-cb-consent-error" : null }),
          el("label", { class: "govuk-label govuk-checkboxes__label", for: "kc-cb-consent" }, t("callback_consent")))));
  }

  function errorSummary(errors, values) {
    return summaryBox("kc-error-summary", Object.keys(errors).map((key) => summaryItem(key, errors, values)));
  }

  /** GOV.UK's error summary around its list items; nothing when there is no error. */
  function summaryBox(id, items) {
    if (!items.length) return null;
    return el("div", { class: "govuk-error-summary", id: id, tabindex: "-1" },
      el("div", { role: "alert" },
        el("h4", { class: "govuk-error-summary__title" }, t("error_summary")),
        el("div", { class: "govuk-error-summary__body" },
          el("ul", { class: "govuk-list govuk-error-summary__list" }, items))));
  }

  function summaryItem(key, errors, values) {
    if (!ERROR_TEXT[key]) return el("li", {}, t("error_other"));
    const name = ERROR_FIELD[key] || key;
    const target = "kc-cb-" + name;
    return el("li", {}, el("a", { href: "#" + target, onclick: (event) => focusField(event, target) },
      fieldError(name, errors, values)));
  }

  /** Like GOV.UK Frontend's error summary: move to the field itself, with its label in view. */
  function focusField(event, id) {
    event.preventDefault();
    const field = document.getElementById(id);
    field.focus();
    const label = document.querySelector("label[for='" + id + "']");
    if (label) label.scrollIntoView({ block: "start" });
  }

  function formValues() {
    const form = document.getElementById("kc-callback");
    if (!form) return {};
    const values = {};
    for (const field of CALLBACK_FIELDS) values[field.name] = form.elements[field.name].value;
    values.consent = form.elements.consent.checked;
    return values;
  }

  async function submitCallback(event) {
    event.preventDefault();
    const values = formValues();
    const body = { session_id: state.sessionId, consent: values.consent, language: state.language };
    for (const field of CALLBACK_FIELDS) if (values[field.name].trim()) body[field.name] = values[field.name].trim();
    if (state.lastTopic) body.topic = state.lastTopic;
    let response;
    try {
      response = await postJSON("/api/callback", body);
    } catch {
      response = { status: 0, data: {} };
    }
    if (response.status === 201) return callbackSent(response.data.reference);
    showCallback(values, response.data.fields || { other: true });
    document.getElementById("kc-error-summary").focus();
  }

  function callbackSent(reference) {
    state.callback = reference;
    const text = t("callback_sent") + ". " + t("callback_reference", { reference: reference }) + ". " + t("callback_next");
    document.getElementById("kc-panel").replaceChildren(
      el("div", { class: "govuk-panel govuk-panel--confirmation kent-chat__sent", id: "kc-sent", tabindex: "-1" },
        el("h3", { class: "govuk-panel__title" }, t("callback_sent")),
        el("div", { class: "govuk-panel__body" }, withValue("callback_reference", "reference", el("strong", {}, reference)))),
      el("p", { class: "govuk-body" }, t("callback_next")));
    addEntry({ from: "assistant", message: { kind: "chat", text: text, html: null, buttons: [], language: state.language } });
    document.getElementById("kc-sent").focus();
  }

  /* ---------- "Work out my dates" form ---------- */

  const DATE_PARTS = ["day", "month", "year"];

  function openDates() {
    state.dates = state.dates || ui.dateForms[0].id;
    if (state.callback === "open") state.callback = null;
    save();
    showDates({}, {});
    document.getElementById("kc-dates-title").focus();
  }

  function closeDates() {
    state.dates = null;
    save();
    document.getElementById("kc-panel").replaceChildren();
    document.getElementById("kc-dates-open").focus();
  }

  function datesPanel() {
    return state.dates ? datesForm({}, {}) : null;
  }

  function showDates(values, errors) {
    document.getElementById("kc-panel").replaceChildren(datesForm(values, errors));
  }

  function chosenForm() {
    return ui.dateForms.find((form) => form.id === state.dates) || ui.dateForms[0];
  }

  /** GOV.UK's date input pattern: a fieldset per date with day, month and year, and an error summary. */
  function datesForm(values, errors) {
    const chosen = chosenForm();
    return el("form", { class: "kent-chat__dates", id: "kc-dates", novalidate: true, onsubmit: submitDates },
      el("h3", { class: "govuk-heading-m", id: "kc-dates-title", tabindex: "-1" }, t("dates_title")),
      datesErrorSummary(errors, chosen),
      el("p", { class: "govuk-body" }, t("dates_intro")),
      el("div", { class: "govuk-form-group" },
        el("label", { class: "govuk-label", for: "kc-dates-which" }, t("dates_which")),
        el("select", { class: "govuk-select", id: "kc-dates-which", name: "calculation", onchange: changeCalculation },
          ui.dateForms.map((form) => el("option", { value: form.id, selected: form.id === chosen.id }, form.title)))),
      chosen.inputs.map((input) => dateInput(input, values[input.id] || {}, errors[input.id])),
      el("div", { class: "govuk-button-group" },
        el("button", { type: "submit", class: "govuk-button" }, t("dates_submit")),
        el("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: closeDates }, t("dates_close"))));
  }

  function changeCalculation(event) {
    state.dates = event.target.value;
    save();
    showDates({}, {});
    document.getElementById("kc-dates-which").focus();
  }

  function dateInput(input, value, error) {
    const id = "kc-dt-" + input.id;
    const described = [id + "-hint", error && id + "-error"].filter(Boolean).join(" ");
    return el("div", { class: "govuk-form-group" + (error ? " govuk-form-group--error" : "") },
      el("fieldset", { class: "govuk-fieldset", role: "group", "aria-describedby": described },
        el("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, input.label),
        el("div", { class: "govuk-hint", id: id + "-hint" }, t(input.day_optional ? "dates_hint_month" : "dates_hint")),
        error ? el("p", { class: "govuk-error-message", id: id + "-error" }, hidden(t("error") + " "), t(error)) : null,
        el("div", { class: "govuk-date-input", id: id },
          DATE_PARTS.map((part) => el("div", { class: "govuk-date-input__item" },
            el("div", { class: "govuk-form-group" },
              el("label", { class: "govuk-label govuk-date-input__label", for: id + "-" + part }, t("date_" + part)),
              el("input", { class: "govuk-input govuk-date-input__input govuk-input--width-" + (part === "year" ? 4 : 2) +
                (error ? " govuk-input--error" : ""), id: id + "-" + part, name: input.id + "-" + part, type: "text",
                inputmode: "numeric", value: value[part] || "" })))))));
  }

  function datesErrorSummary(errors, chosen) {
    return summaryBox("kc-dates-summary", chosen.inputs.filter((input) => errors[input.id]).map((input) => el("li", {},
      el("a", { href: "#kc-dt-" + input.id + "-day", onclick: (event) => focusField(event, "kc-dt-" + input.id + "-day") },
        input.label + ": " + t(errors[input.id])))));
  }

  /** One date from its three boxes: [values, "YYYY-MM-DD" or null, error key or null]. */
  function readDate(form, input) {
    const values = {};
    for (const part of DATE_PARTS) values[part] = form.elements[input.id + "-" + part].value.trim();
    if (!values.day && !values.month && !values.year) return [values, null, input.optional ? null : "error_date_missing"];
    const day = values.day || (input.day_optional ? "1" : "");
    if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(values.month) || !/^\d{4}$/.test(values.year)) {
      return [values, null, "error_date_real"];
    }
    const date = new Date(Date.UTC(Number(values.year), Number(values.month) - 1, Number(day)));
    if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(values.month) - 1) return [values, null, "error_date_real"];
    return [values, date.toISOString().slice(0, 10), null];
  }

  function submitDates(event) {
    event.preventDefault();
    const form = document.getElementById("kc-dates");
    const chosen = chosenForm();
    const values = {};
    const errors = {};
    const given = [];
    const shown = [];
    for (const input of chosen.inputs) {
      const [value, iso, error] = readDate(form, input);
      values[input.id] = value;
      if (error) errors[input.id] = error;
      else if (iso) {
        given.push(input.id + "=" + iso);
        shown.push(input.label + ": " + [value.day, value.month, value.year].filter(Boolean).join("/"));
      }
    }
    if (Object.keys(errors).length) {
      showDates(values, errors);
      document.getElementById("kc-dates-summary").focus();
      return;
    }
    state.dates = null;
    save();
    document.getElementById("kc-panel").replaceChildren();
    document.getElementById("kc-input").focus();
    const payload = "/work_out_dates" + JSON.stringify({ dates_form: [chosen.id, ...given].join(";") });
    ask(payload, chosen.title + ". " + shown.join(". "));
  }

  /* ---------- Saving and printing ---------- */

  /** Markdown as people write it in a text file: no asterisks, links as "text (address)". */
  function plainText(markdown) {
    return markdown.replace(/\*\*(.+?)\*\*/g, "$1").replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)");
  }

  function transcriptText() {
    const lines = [t("transcript_title"), new Date().toLocaleString(state.language), ""];
    for (const entry of state.transcript) {
      const text = entry.from === "you" ? entry.text : plainText(entry.message.text);
      lines.push((entry.from === "you" ? t("you") : t("assistant")) + ":", text, "");
    }
    return lines.join("\r\n");
  }

  function download() {
    const url = URL.createObjectURL(new Blob([transcriptText()], { type: "text/plain;charset=utf-8" }));
    const link = el("a", { href: url, download: FILE_NAME, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /* ---------- Start ---------- */

  function addStylesheet(href) {
    const url = new URL(href, BASE + "/").href;
    if (Array.from(document.querySelectorAll("link[rel=stylesheet]")).some((link) => link.href === url)) return;
    document.head.append(el("link", { rel: "stylesheet", href: url }));
  }

  async function start() {
    addStylesheet("govuk/govuk-frontend.min.css");
    addStylesheet("static/widget.css");
    load();
    try {
      await loadStrings(state.language).catch(() => loadStrings(null)); // a language no longer offered
    } catch (error) {
      // On another site, the usual cause is an origin missing from the server's BOT_CORS_ORIGINS.
      console.error("Kent SEND chat: the assistant at " + BASE + " did not answer.", error);
      mountPoint().append(el("p", { class: "govuk-body kent-chat__offline" },
        "The SEND assistant is not available right now. Please try again later."));
      return;
    }
    save();
    render(null);
  }

  start();
})();
