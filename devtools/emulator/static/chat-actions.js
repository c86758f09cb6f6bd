// The chat page's actions beyond writing text (loaded before chat.js, sharing its globals at call time):
// inline keyboards under the bot's messages (a click posts a callback_query; the bot's answer shows as a
// toast), photo and document placeholders (shown, and sent: the 📎 button), replying to a message (↩),
// and the person's status in a group, which is what getChatMember answers (make yourself admin or not).
"use strict";

const SAFE_BUTTON_URL = /^(https?:|tg:)/i;
const ICONS = { photo: "🖼", document: "📄" };
const pressed = new Map();  // callback query id -> the button waiting for the bot's answer
const answers = new Map();  // callback query id -> the bot's answer (it may come before the press returns)
const ANSWER_WAIT_MS = 15000;  // Telegram's clients stop waiting for an answer after about 15 s
let attachmentCount = 0;

// ---- showing what a message holds besides its text ----

function snippet(message) {
  if (message.kind === "service") return `service message: ${(message.service || []).join(", ")}`;
  const text = message.caption || message.text || "";
  const shown = text ? plainText(text, message.from_bot ? message.parse_mode : null) : "";
  if (message.kind === "photo" || message.kind === "document") {
    return `${ICONS[message.kind]} ${shown || message.file_name}`;
  }
  return shown;
}

// A copy (copyMessage) carries entities instead of a parse mode: each stretch of text between entity
// edges is wrapped in the tags of the entities covering it (offsets count UTF-16 units, as JS strings do).
const ENTITY_TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span", text_link: "a",
};

function renderEntities(text, entities) {
  const edges = new Set([0, text.length]);
  for (const entity of entities) edges.add(entity.offset).add(entity.offset + entity.length);
  const points = [...edges].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const fragment = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const entity of entities) {
      if (entity.offset <= start && end <= entity.offset + entity.length) node = wrapEntity(node, entity);
    }
    fragment.append(node);
  }
  return fragment;
}

function wrapEntity(node, entity) {
  const tag = ENTITY_TAGS[entity.type];
  if (!tag || (tag === "a" && !SAFE_BUTTON_URL.test(entity.url || ""))) return node;
  const element = document.createElement(tag);
  if (tag === "a") Object.assign(element, { href: entity.url, target: "_blank", rel: "noopener noreferrer" });
  if (tag === "span") {
    element.className = "spoiler";
    element.addEventListener("click", () => element.classList.add("revealed"));
  }
  element.append(node);
  return element;
}

function mediaNode(message) {
  const media = document.createElement("div");
  media.className = "media";
  media.dataset.kind = message.kind;
  media.textContent = `${ICONS[message.kind]} ${message.file_name} (${message.kind} placeholder)`;
  return media;
}

function replyQuoteNode(message) {
  const original = store.chats.get(message.chat_id)?.messages.get(message.reply_to);
  const quote = document.createElement("div");
  quote.className = "reply-quote";
  quote.textContent = original ? snippet(original) : "a deleted message";
  return quote;
}

function keyboardNode(message) {
  const rows = message.reply_markup?.inline_keyboard || [];
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    for (const button of row) line.append(buttonNode(message, button));
    keyboard.append(line);
  }
  return keyboard;
}

function buttonNode(message, button) {
  if (button.url && SAFE_BUTTON_URL.test(button.url)) {
    const link = document.createElement("a");
    Object.assign(link, { className: "inline-button", href: button.url, target: "_blank", rel: "noopener noreferrer" });
    link.textContent = `${button.text} ↗`;
    return link;
  }
  const node = document.createElement("button");
  node.type = "button";
  node.className = "inline-button";
  node.textContent = button.text;
  if (button.callback_data === undefined) node.disabled = true;  // a kind of button the sandbox lacks
  else node.addEventListener("click", () => pressButton(message, button.callback_data, node));
  return node;
}

// ---- pressing a button, and the bot's answer ----

async function postJson(url, body, method = "POST") {
  const response = await fetch(url, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

async function pressButton(message, data, node) {
  node.classList.add("pressed");
  try {
    const url = `/emulator/api/chats/${message.chat_id}/messages/${message.message_id}/press`;
    const { callback_query_id: id } = await postJson(url, { data });
    pressed.set(id, node);
    if (answers.has(id)) showAnswer(id);
    else setTimeout(() => node.classList.remove("pressed"), ANSWER_WAIT_MS);
  } catch (error) {
    node.classList.remove("pressed");
    showError(`Not pressed: ${error.message}`);
  }
}

function callbackAnswered(answer) {
  answers.set(answer.id, answer);
  if (pressed.has(answer.id)) showAnswer(answer.id);
}

function showAnswer(id) {
  const answer = answers.get(id);
  pressed.get(id).classList.remove("pressed");
  pressed.delete(id);
  if (answer.text) showToast(answer.text, answer.show_alert);
}

function showToast(text, alert) {
  const toast = $("toast");
  toast.textContent = text;
  toast.classList.toggle("alert", Boolean(alert));
  toast.hidden = false;
  clearTimeout(showToast.timer);
  if (!alert) showToast.timer = setTimeout(() => { toast.hidden = true; }, 3000);  // an alert waits for a click
}

// ---- what the next message carries: a reply, an attachment ----

function replyTo(message) {
  store.replyTo = message;
  renderContext();
  $("text").focus();
}

function attach(kind) {
  attachmentCount += 1;
  store.attachment = { kind, name: kind === "photo" ? `photo-${attachmentCount}.jpg` : `document-${attachmentCount}.pdf` };
  $("attach-menu").hidden = true;
  renderContext();
  $("text").focus();
}

function chip(name, label, clear) {
  const node = document.createElement("div");
  node.className = "chip";
  node.dataset.chip = name;
  const text = document.createElement("span");
  text.textContent = label;
  const close = document.createElement("button");
  Object.assign(close, { type: "button", textContent: "✕", title: "remove" });
  close.addEventListener("click", () => { clear(); renderContext(); });
  node.append(text, close);
  return node;
}

function renderContext() {
  const bar = $("context");
  bar.replaceChildren();
  if (store.replyTo) bar.append(chip("reply", `↩ Reply to: ${snippet(store.replyTo)}`, () => { store.replyTo = null; }));
  const file = store.attachment;
  if (file) bar.append(chip("attachment", `${ICONS[file.kind]} ${file.name} (the text is its caption)`, () => { store.attachment = null; }));
  bar.hidden = !bar.childElementCount;
}

// The body of the next POST .../messages: a text, or a placeholder with the text as its caption.
function outgoing(text) {
  const body = store.attachment ? { [store.attachment.kind]: store.attachment.name, caption: text } : { text };
  if (store.replyTo) body.reply_to = store.replyTo.message_id;
  return body;
}

function sent() {
  store.replyTo = null;
  store.attachment = null;
  renderContext();
}

// ---- the person's status in a group ----

function renderMyStatus(chat) {
  $("my-status-box").hidden = chat.type === "private";
  if (chat.my_status) $("my-status").value = chat.my_status;
}

async function changeMyStatus() {
  try {
    await postJson(`/emulator/api/chats/${store.current}/me`, { status: $("my-status").value }, "PUT");
    showError("");
  } catch (error) {
    showError(`Status not changed: ${error.message}`);
  }
}

function setUpActions() {
  $("attach").addEventListener("click", () => { $("attach-menu").hidden = !$("attach-menu").hidden; });
  for (const option of document.querySelectorAll("#attach-menu [data-kind]")) {
    option.addEventListener("click", () => attach(option.dataset.kind));
  }
  $("my-status").addEventListener("change", changeMyStatus);
  $("toast").addEventListener("click", () => { $("toast").hidden = true; });
}
