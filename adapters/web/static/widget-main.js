/* careersbot widget: adds the chat (chat.js) to any page as a floating
   panel, in its own shadow root, asking the careersbot server the script
   came from. widget.js is this file, with chat.js and the styles, in one
   function scope: it adds one element (<careersbot-widget>) to the page
   and no globals. CAREERSBOT_CSS, CAREERSBOT_MAX_CHARS and CAREERSBOT_FACTS are set
   before it. */

var script = document.currentScript;
var scriptSrc = script && script.src;
if (!scriptSrc) {
  var found = document.querySelector("script[src$='/widget.js'], script[src*='/widget.js?']");
  scriptSrc = found ? found.src : "";
}

function svg(doc) {
  var ns = "http://www.w3.org/2000/svg";
  var s = doc.createElementNS(ns, "svg");
  s.setAttribute("viewBox", "0 0 24 24");
  s.setAttribute("aria-hidden", "true");
  s.setAttribute("focusable", "false");
  var p = doc.createElementNS(ns, "path");
  p.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2h-9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  p.setAttribute("fill", "currentColor");
  s.appendChild(p);
  return s;
}

function start() {
  if (!scriptSrc || document.querySelector("careersbot-widget")) return;
  var doc = document;
  var host = doc.createElement("careersbot-widget");
  var shadow = host.attachShadow({ mode: "open" });
  var css = CAREERSBOT_CSS;
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = doc.createElement("style");
    style.textContent = css;
    shadow.appendChild(style);
  }

  var wrap = doc.createElement("div");
  wrap.className = "cbw";

  var launch = doc.createElement("button");
  launch.type = "button";
  launch.className = "cbw-launch";
  launch.setAttribute("aria-expanded", "false");
  launch.setAttribute("aria-controls", "cbw-panel");
  launch.appendChild(svg(doc));
  var launchText = doc.createElement("span");
  launchText.textContent = "Careers questions";
  launch.appendChild(launchText);

  var panel = doc.createElement("div");
  panel.className = "cbw-panel";
  panel.id = "cbw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "cbw-title");
  panel.hidden = true;

  var head = doc.createElement("div");
  head.className = "cbw-head";
  var titles = doc.createElement("div");
  var h = doc.createElement("h2");
  h.id = "cbw-title";
  h.textContent = "Careers questions";
  var sub = doc.createElement("p");
  sub.textContent = "Answers from England's occupational standards, by careersbot";
  titles.appendChild(h);
  titles.appendChild(sub);
  var close = doc.createElement("button");
  close.type = "button";
  close.className = "cbw-close";
  close.setAttribute("aria-label", "Close careers questions");
  close.textContent = "×";
  head.appendChild(titles);
  head.appendChild(close);
  panel.appendChild(head);

  var body = doc.createElement("div");
  body.className = "cbw-body";
  panel.appendChild(body);

  wrap.appendChild(panel);
  wrap.appendChild(launch);
  shadow.appendChild(wrap);
  doc.body.appendChild(host);

  var chat = CareersbotChat.mount(body, {
    endpoint: new URL("v1/ask", scriptSrc).href,
    maxChars: CAREERSBOT_MAX_CHARS,
    facts: CAREERSBOT_FACTS,
    idPrefix: "cbw-",
    layout: "panel",
    crossOrigin: new URL(scriptSrc).origin !== location.origin
  });

  function setOpen(open) {
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) chat.focus();
    else launch.focus();
  }
  launch.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.stopPropagation();
      setOpen(false);
    }
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
