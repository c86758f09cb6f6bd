// The sandbox chat page: a minimal Telegram-like client of the emulator's client API.
// Chats and messages arrive over /emulator/api/events (server-sent events, reconnecting by itself);
// writing is POST /emulator/api/chats/{id}/messages. No dependencies, no build step. Buttons, attachments,
// replies and the person's group status: chat-actions.js.
// Times are shown in UTC, 24-hour, as the bot writes them ("Next notification: 2026-01-01 09:00 UTC").
"use strict";

const MAX_TEXT_LENGTH = 4096;  // Telegram's limit on a message's text, in characters
const MAX_CAPTION_LENGTH = 1024;  // and on a photo's or document's caption

// Telegram's HTML parse mode: these tags and no others; everything else shows as its text.
const TAGS = {
  b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
  code: "code", pre: "pre", blockquote: "blockquote", a: "a", span: "span", "tg-spoiler": "span",
};
const DROPPED = new Set(["script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"]);
const SAFE_HREF = /^(https?:|tg:|mailto:)/i;

// `synced`: the stream has sent the history; only messages arriving after it count as unread.
// `replyTo`, `attachment`: what the next message carries (chat-actions.js).
const store = { chats: new Map(), bot: null, current: null, synced: false, replyTo: null, attachment: null };
const $ = (id) => document.getElementById(id);

// ---- rendering a bot message's text the way Telegram renders its parse mode ----

function renderText(text, parseMode) {
  if ((parseMode || "").toUpperCase() !== "HTML") return document.createTextNode(text);
  // DOMParser documents are inert: nothing in them runs or loads. Only whitelisted tags are rebuilt,
  // as new elements without the source's attributes, so no markup of the message reaches the page.
  const parsed = new DOMParser().parseFromString("<!doctype html><body>" + text, "text/html");
  return convertChildren(parsed.body);
}

function convertChildren(node) {
  const fragment = document.createDocumentFragment();
  for (const child of node.childNodes) fragment.append(convertNode(child));
  return fragment;
}

function convertNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.localName)) return document.createDocumentFragment();
  const children = convertChildren(node);
  const tag = TAGS[node.localName];
  if (!tag) return children;
  const element = document.createElement(tag);
  if (tag === "a") {
    const href = (node.getAttribute("href") || "").trim();
    if (!SAFE_HREF.test(href)) return children;
    element.href = href;
    element.target = "_blank";
    element.rel = "noopener noreferrer";
  } else if (tag === "span") {
    if (node.localName === "span" && !node.classList.contains("tg-spoiler")) return children;
    element.className = "spoiler";
    element.addEventListener("click", () => element.classList.add("revealed"));
  }
  element.append(children);
  return element;
}

function plainText(text, parseMode) {
  const holder = document.createElement("div");
  holder.append(renderText(text, parseMode));
  return holder.textContent;
}

// ---- chats ----

function chatName(chat) {
  if (chat.type !== "private") return chat.title;
  return store.bot ? store.bot.first_name : "Bot";
}

function setChats(payload) {
  store.bot = payload.bot;
  for (const chat of payload.chats) {
    const known = store.chats.get(chat.id);
    if (known) Object.assign(known.chat, chat);
    else store.chats.set(chat.id, { chat, messages: new Map(), unread: 0 });
  }
  if (store.current === null || !store.chats.has(store.current)) {
    const first = payload.chats.find((c) => c.type === "private") || payload.chats[0];
    if (first) selectChat(first.id);
  } else {
    renderMyStatus(store.chats.get(store.current).chat);
  }
  renderChatList();
}

function renderChatList() {
  const list = $("chats");
  list.replaceChildren();
  for (const [id, entry] of store.chats) {
    const item = document.createElement("li");
    item.dataset.chatId = String(id);
    item.dataset.chatType = entry.chat.type;
    item.classList.toggle("active", id === store.current);
    const avatar = document.createElement("div");
    avatar.className = entry.chat.type === "private" ? "avatar" : "avatar group";
    avatar.textContent = chatName(entry.chat).slice(0, 1).toUpperCase();
    const info = document.createElement("div");
    info.className = "chat-info";
    const name = document.createElement("div");
    name.className = "chat-name";
    name.textContent = chatName(entry.chat);
    const preview = document.createElement("div");
    preview.className = "preview";
    const last = [...entry.messages.values()].pop();
    preview.textContent = last ? snippet(last) : "";
    const unread = document.createElement("span");
    unread.className = "unread";
    unread.textContent = entry.unread ? String(entry.unread) : "";
    info.append(name, preview);
    item.append(avatar, info, unread);
    item.addEventListener("click", () => selectChat(id));
    list.append(item);
  }
}

function selectChat(id) {
  const entry = store.chats.get(id);
  if (!entry) return;
  store.current = id;
  entry.unread = 0;
  $("chat-title").textContent = chatName(entry.chat);
  $("chat-subtitle").textContent = entry.chat.type === "private" ? "bot" : "group · you and the bot";
  $("messages").dataset.chatId = String(id);
  renderMyStatus(entry.chat);
  if (store.replyTo && store.replyTo.chat_id !== id) store.replyTo = null;
  renderContext();
  const list = $("messages");
  list.replaceChildren();
  const sorted = [...entry.messages.values()].sort((a, b) => a.message_id - b.message_id);
  for (const message of sorted) list.append(messageNode(message, entry.chat));
  if (!sorted.length) showEmpty();
  list.scrollTop = list.scrollHeight;
  renderChatList();
  $("text").focus();
}

// ---- messages ----

function showEmpty() {
  const empty = document.createElement("div");
  empty.className = "empty";
  empty.textContent = "No messages here yet. Say /start or /help.";
  $("messages").append(empty);
}

function messageNode(message, chat) {
  const node = document.createElement("div");
  node.className = "message";
  node.dataset.messageId = String(message.message_id);
  if (message.kind === "service") {
    node.classList.add("service");
    node.dataset.from = "service";
    node.textContent = snippet(message);
    return node;
  }
  node.dataset.from = message.from_bot ? "bot" : "user";
  if (chat.type !== "private") {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.textContent = message.from_bot ? chatName({ type: "private" }) : "You";
    node.append(sender);
  }
  if (message.reply_to) node.append(replyQuoteNode(message));
  if (message.kind === "photo" || message.kind === "document") node.append(mediaNode(message));
  const text = document.createElement("div");
  text.className = "text";
  // A person's message is plain text, always; only the bot's is rendered in its parse mode.
  const body = message.kind === "text" ? message.text : message.caption || "";
  if (message.from_bot && !message.parse_mode && message.entities) text.append(renderEntities(body, message.entities));
  else text.append(renderText(body, message.from_bot ? message.parse_mode : null));
  const meta = document.createElement("div");
  meta.className = "meta";
  const stamp = new Date(message.date * 1000).toISOString();  // always UTC
  const time = stamp.slice(11, 16);
  meta.title = `${stamp.slice(0, 10)} ${stamp.slice(11, 19)} UTC`;
  meta.textContent = message.edited ? `edited ${time}` : time;
  const reply = document.createElement("button");
  Object.assign(reply, { type: "button", className: "reply-button", textContent: "↩", title: "Reply" });
  reply.addEventListener("click", () => replyTo(message));
  node.append(text, meta, reply);
  if (message.reply_markup?.inline_keyboard?.length) node.append(keyboardNode(message));
  return node;
}

function addMessage(message) {
  let entry = store.chats.get(message.chat_id);
  if (!entry) {
    entry = { chat: { id: message.chat_id, type: "private", title: "" }, messages: new Map(), unread: 0 };
    store.chats.set(message.chat_id, entry);
  }
  const isNew = !entry.messages.has(message.message_id);
  entry.messages.set(message.message_id, message);
  if (message.chat_id === store.current) showMessage(message, entry.chat);
  else if (isNew && message.from_bot && store.synced) entry.unread += 1;
  renderChatList();
}

function showMessage(message, chat) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.querySelector(".empty")?.remove();
  const node = messageNode(message, chat);
  const existing = list.querySelector(`[data-message-id="${message.message_id}"]`);
  if (existing) {
    existing.replaceWith(node);
  } else {
    const later = [...list.children].find((n) => Number(n.dataset.messageId) > message.message_id);
    list.insertBefore(node, later || null);
  }
  if (nearBottom || !message.from_bot) list.scrollTop = list.scrollHeight;
}

// ---- talking to the emulator ----

function showError(text) {
  const error = $("error");
  error.textContent = text;
  error.hidden = !text;
}

async function send(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if ((!text && !store.attachment) || store.current === null) return;
  const length = [...text].length;
  const limit = store.attachment ? MAX_CAPTION_LENGTH : MAX_TEXT_LENGTH;
  if (length > limit) {
    showError(`Not sent: ${length.toLocaleString("en")} characters; Telegram allows ${limit.toLocaleString("en")} at most.`);
    return;
  }
  $("send").disabled = true;
  try {
    const response = await fetch(`/emulator/api/chats/${store.current}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(outgoing(text)),
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    input.value = "";
    sent();
    showError("");
    addMessage(await response.json());
  } catch (error) {
    showError(`Not sent: ${error.message}`);
  } finally {
    $("send").disabled = false;
    input.focus();
  }
}

function setStatus(state, label) {
  const status = $("status");
  status.dataset.state = state;
  status.textContent = label;
}

// "bot starting…" until the emulator has had the bot's first getUpdates: only then is a message answered.
function showBotStatus(status) {
  if (status.bot === "polling") setStatus("online", "online");
  else setStatus("starting", "bot starting…");
}

function connect() {
  const events = new EventSource("/emulator/api/events");
  events.addEventListener("open", () => { store.synced = false; });
  events.addEventListener("error", () => setStatus("offline", "reconnecting…"));
  events.addEventListener("chats", (e) => setChats(JSON.parse(e.data)));
  events.addEventListener("message", (e) => addMessage(JSON.parse(e.data)));
  events.addEventListener("status", (e) => showBotStatus(JSON.parse(e.data)));
  events.addEventListener("synced", () => { store.synced = true; });
  events.addEventListener("callback_answer", (e) => callbackAnswered(JSON.parse(e.data)));
}

document.addEventListener("DOMContentLoaded", () => {
  $("composer").addEventListener("submit", send);
  setUpActions();
  $("text").addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    $("composer").requestSubmit();
  });
  connect();
});
