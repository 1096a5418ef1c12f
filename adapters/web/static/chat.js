/* careersbot chat: the conversation shared by the page (app.js) and the
   widget (widget.js). It asks POST /v1/ask and shows each answer with its
   citation cards.

   Safety: every text from a question, an answer or a passage goes into the
   DOM as text (textContent, createTextNode), never as HTML; links are made
   only from http(s) URLs. */
var CareersbotChat = (function () {
  "use strict";

  var EXAMPLES = [
    "Which skills does a network engineer need?",
    "How much does a network engineer earn?",
    "Is wireless networking part of the role of a network engineer?"
  ];
  var KINDS = {
    knowledge: "Knowledge", skill: "Skill", behaviour: "Behaviour",
    duty: "Duty", overview: "Overview", profile: "Profile"
  };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];
  var REF = "[A-Z]{2}\\d{4}";
  // A list item that cites one passage, at its end: its marker.
  var ONE_CITED = /^[^\[\]]*(\[(?:ST|FA)\d{4} [A-Za-z0-9-]+\])\s*$/;

  // A citation marker in the answer text: [ST0127 K12].
  var MARKER = new RegExp("\\[(" + REF + ") ([A-Za-z0-9][A-Za-z0-9-]*)\\]", "g");
  // Where a "not covered" or "which one?" answer lists the occupations it
  // offers, each as "Title (ST0123)".
  var OFFER = /(The closest occupations I cover: |The closest I cover: |Standards that do mention it include |Several standards fit "[^"]*": )/;
  var OFFER_TITLE = "((?:(?!\\. |: ).)+?) \\((" + REF + ")\\)";
  var OFFER_FIRST = new RegExp("\\s*" + OFFER_TITLE, "y");
  var OFFER_NEXT = new RegExp("(?:,\\s*(?:and\\s+)?|\\s+and\\s+)" + OFFER_TITLE, "y");
  var TIMEOUT_MS = 60000;

  function el(doc, tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // appendMarked adds text to node, with each [REF ID] marker as a span.
  function appendMarked(doc, node, text) {
    var last = 0;
    MARKER.lastIndex = 0;
    var m;
    while ((m = MARKER.exec(text)) !== null) {
      if (m.index > last) node.appendChild(doc.createTextNode(text.slice(last, m.index)));
      node.appendChild(el(doc, "span", "cb-marker", m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) node.appendChild(doc.createTextNode(text.slice(last)));
  }

  // renderText lays out an answer's text: paragraphs, "- " lists and the
  // closing "Source: ..." line. A list item that is one cited passage
  // ("- text [ST0127 S1]") is shown as that passage's card, so a list
  // answer shows each item once; shown records the markers so shown.
  function renderText(doc, container, text, byMarker, shown) {
    var blocks = String(text).replace(/\r\n?/g, "\n").split(/\n{2,}/);
    blocks.forEach(function (block) {
      block = block.replace(/^\n+|\n+$/g, "");
      if (!block) return;
      if (/^Source: /.test(block)) {
        var src = el(doc, "p", "cb-source");
        appendMarked(doc, src, block);
        container.appendChild(src);
        return;
      }
      var p = null, ul = null;
      block.split("\n").forEach(function (line) {
        var item = /^\s*[-•*] (.*)$/.exec(line);
        if (item) {
          if (!ul) { ul = el(doc, "ul"); container.appendChild(ul); p = null; }
          var only = ONE_CITED.exec(item[1]);
          var c = only && byMarker ? byMarker[only[1]] : null;
          if (c && !shown[only[1]]) {
            ul.className = "cb-cards cb-inline";
            ul.appendChild(card(doc, c));
            shown[only[1]] = true;
            return;
          }
          var li = el(doc, "li");
          appendMarked(doc, li, item[1]);
          ul.appendChild(li);
          return;
        }
        ul = null;
        if (!p) { p = el(doc, "p"); container.appendChild(p); } else { p.appendChild(el(doc, "br")); }
        appendMarked(doc, p, line);
      });
    });
  }

  // offers returns the occupations a not-grounded answer offers, from its
  // "suggestions" when the server sends them, else from its text.
  function offers(data) {
    var out = [];
    if (Array.isArray(data.suggestions)) {
      data.suggestions.forEach(function (s) {
        if (s && typeof s.reference === "string" && typeof s.title === "string") {
          out.push({ reference: s.reference, title: s.title });
        }
      });
      return out;
    }
    if (data.grounded) return out;
    var text = String(data.answer || "");
    var m = OFFER.exec(text);
    if (!m) return out;
    var re = OFFER_FIRST;
    var at = m.index + m[0].length;
    var item;
    while (out.length < 8) {
      re.lastIndex = at;
      if ((item = re.exec(text)) === null) break;
      out.push({ reference: item[2], title: item[1].trim() });
      at = re.lastIndex;
      re = OFFER_NEXT;
    }
    return out;
  }

  // notCovered tells an honest "the standards don't cover this" answer from
  // a question back ("which one do you mean?").
  function notCovered(data) {
    return !data.grounded && /\bcan[’']t (answer|say)\b/.test(String(data.answer || ""));
  }

  function formatDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    if (!m) return s || "";
    var month = MONTHS[parseInt(m[2], 10) - 1];
    return month ? parseInt(m[3], 10) + " " + month + " " + m[1] : s;
  }

  function safeURL(s) {
    if (typeof s !== "string" || !s) return "";
    try {
      var u = new URL(s);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : "";
    } catch (e) {
      return "";
    }
  }

  function str(v) {
    return v === undefined || v === null ? "" : String(v);
  }

  function card(doc, c) {
    var li = el(doc, "li", "cb-card");
    li.setAttribute("data-ref", str(c.reference));
    li.setAttribute("data-id", str(c.id));
    var head = el(doc, "p", "cb-card-head");
    head.appendChild(el(doc, "span", "cb-card-id", str(c.reference) + " " + str(c.id)));
    head.appendChild(el(doc, "span", "cb-card-kind", KINDS[c.kind] || str(c.kind)));
    li.appendChild(head);
    li.appendChild(el(doc, "p", "cb-passage", str(c.text)));
    var meta = el(doc, "p", "cb-meta");
    meta.appendChild(el(doc, "span", "cb-occ", str(c.occupation) + " (" + str(c.reference) + ")"));
    if (c.level) meta.appendChild(el(doc, "span", "cb-level", "Level " + str(c.level)));
    if (c.version) meta.appendChild(el(doc, "span", "cb-version", "Version " + str(c.version)));
    if (c.last_updated) {
      var t = el(doc, "time", "cb-date", formatDate(str(c.last_updated)));
      t.setAttribute("datetime", str(c.last_updated));
      var span = el(doc, "span");
      span.appendChild(doc.createTextNode("updated "));
      span.appendChild(t);
      meta.appendChild(span);
    }
    li.appendChild(meta);
    var href = safeURL(c.url);
    if (href) {
      var a = el(doc, "a", "cb-url", "Read the " + str(c.reference) + " standard");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      var note = el(doc, "span", "cb-visually-hidden", " (opens in a new tab)");
      a.appendChild(note);
      li.appendChild(a);
    }
    return li;
  }

  // sharedOccupation is the one occupation all citations are from, if any.
  function sharedOccupation(citations) {
    if (!Array.isArray(citations) || citations.length === 0) return null;
    var ref = citations[0] && citations[0].reference;
    if (!ref) return null;
    for (var i = 1; i < citations.length; i++) {
      if (!citations[i] || citations[i].reference !== ref) return null;
    }
    return { reference: ref, title: str(citations[0].occupation) };
  }

  function errorMessage(status, data, retryAfter, crossOrigin) {
    var text = data && typeof data.error === "string" ? data.error : "";
    switch (true) {
      case status === 429: {
        var wait = parseInt(retryAfter || "", 10);
        if (!text) text = "You're asking faster than the limit allows." + (wait > 0 ? " Try again in " + wait + " seconds." : " Wait a minute and try again.");
        return { title: "Please slow down", text: text };
      }
      case status === 400:
        return { title: "That question wasn't sent", text: text || "The question couldn't be read. Please rephrase it." };
      case status === 413:
        return { title: "That question is too long", text: text || "Please ask it in fewer words." };
      case status === 503:
        return { title: "careersbot is busy", text: text || "Please try again in a few seconds." };
      case status >= 500:
        return { title: "Something went wrong on the server", text: text || "Please try again in a moment." };
      case status === 0:
        return {
          title: "Couldn't reach careersbot",
          text: crossOrigin
            ? "Check your connection and try again. If this keeps happening, this website may not be allowed to use careersbot: its owner can ask careersbot's administrator to add it."
            : "Check your connection and try again."
        };
      default:
        return { title: "No answer", text: text || "careersbot replied with status " + status + ". Please try again." };
    }
  }

  // mount builds the chat inside root (an element or a shadow root).
  // opts: endpoint (URL of /v1/ask), maxChars, facts (a sentence on the
  // facts the corpus has, or ""), idPrefix, layout ("page"
  // or "panel"), crossOrigin (true in the widget).
  function mount(root, opts) {
    opts = opts || {};
    var doc = root.ownerDocument || document;
    var pfx = opts.idPrefix || "cb-";
    var maxChars = opts.maxChars > 0 ? opts.maxChars : 1000;
    var endpoint = opts.endpoint || "v1/ask";
    var state = { occupation: null, pending: false };

    var chat = el(doc, "div", "cb-chat cb-" + (opts.layout || "page"));

    var log = el(doc, "div", "cb-log");
    log.id = pfx + "log";
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "Conversation");
    if (opts.layout === "panel") log.setAttribute("tabindex", "0");

    var intro = el(doc, "div", "cb-intro");
    intro.appendChild(el(doc, "p", null, "Ask about an occupation's skills, knowledge, behaviours, duties, level or job titles. Answers quote England's occupational standards and cite each passage."));
    // Which everyday facts (pay, duration...) the corpus has, and for how
    // many standards: the server counts them, so the page promises only
    // what the data holds.
    if (opts.facts) intro.appendChild(el(doc, "p", "cb-facts", opts.facts));
    intro.appendChild(el(doc, "p", null, "For example:"));
    var examples = el(doc, "ul", "cb-examples");
    EXAMPLES.forEach(function (q) {
      var li = el(doc, "li");
      var b = el(doc, "button", "cb-chip", q);
      b.type = "button";
      b.addEventListener("click", function () { send(q, state.occupation && state.occupation.reference); });
      li.appendChild(b);
      examples.appendChild(li);
    });
    intro.appendChild(examples);
    log.appendChild(intro);
    chat.appendChild(log);

    var form = el(doc, "form", "cb-form");
    form.setAttribute("novalidate", "");
    form.setAttribute("aria-label", "Ask careersbot");

    var status = el(doc, "p", "cb-status");
    status.setAttribute("role", "status");
    status.hidden = true;
    var dots = el(doc, "span", "cb-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el(doc, "span"));
    dots.appendChild(el(doc, "span"));
    dots.appendChild(el(doc, "span"));
    status.appendChild(dots);
    var statusText = el(doc, "span", "cb-status-text");
    status.appendChild(statusText);
    form.appendChild(status);

    var context = el(doc, "p", "cb-context");
    context.hidden = true;
    var contextText = el(doc, "span");
    var contextName = el(doc, "strong");
    var clear = el(doc, "button", "cb-link-button", "Change");
    clear.type = "button";
    clear.setAttribute("aria-label", "Ask about another occupation");
    clear.addEventListener("click", function () {
      setOccupation(null);
      input.focus();
    });
    contextText.appendChild(el(doc, "span", "cb-context-prefix", "Follow-up questions are about "));
    contextText.appendChild(contextName);
    context.appendChild(contextText);
    context.appendChild(clear);
    form.appendChild(context);

    var label = el(doc, "label", null, "Your question");
    label.htmlFor = pfx + "q";
    form.appendChild(label);
    var row = el(doc, "div", "cb-row");
    var input = el(doc, "input", "cb-input");
    input.id = pfx + "q";
    input.type = "text";
    input.name = "question";
    input.autocomplete = "off";
    input.setAttribute("enterkeyhint", "send");
    input.setAttribute("aria-describedby", pfx + "help");
    row.appendChild(input);
    var button = el(doc, "button", "cb-button", "Ask");
    button.type = "submit";
    row.appendChild(button);
    form.appendChild(row);
    var help = el(doc, "p", "cb-help");
    help.id = pfx + "help";
    help.appendChild(el(doc, "span", null, "Press Enter to ask. Up to " + maxChars + " characters."));
    var count = el(doc, "span", "cb-count");
    count.setAttribute("aria-hidden", "true");
    help.appendChild(count);
    form.appendChild(help);
    chat.appendChild(form);
    root.appendChild(chat);

    function chars(s) {
      return Array.from(s).length;
    }

    function updateCount() {
      var n = chars(input.value);
      count.textContent = n > maxChars * 0.8 ? n + " / " + maxChars : "";
      count.classList.toggle("cb-over", n > maxChars);
    }
    input.addEventListener("input", updateCount);

    function setOccupation(o) {
      state.occupation = o;
      context.hidden = !o;
      contextName.textContent = o ? (o.title ? o.title + " (" + o.reference + ")" : o.reference) : "";
    }

    function setPending(on, question) {
      state.pending = on;
      status.hidden = !on;
      statusText.textContent = on ? "Looking through the standards for an answer…" : "";
      log.setAttribute("aria-busy", on ? "true" : "false");
      button.setAttribute("aria-disabled", on ? "true" : "false");
      chat.classList.toggle("cb-waiting", on);
      if (on) status.setAttribute("data-question", question);
      else status.removeAttribute("data-question");
    }

    // reveal scrolls so that the question just asked is at the top: the
    // answer below it is read from its start.
    function reveal(node) {
      var cs = (doc.defaultView || window).getComputedStyle(log);
      if (/(auto|scroll)/.test(cs.overflowY) && log.scrollHeight > log.clientHeight) {
        log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
      } else if (node.scrollIntoView) {
        node.scrollIntoView({ block: "start" });
      }
    }

    function addUser(q) {
      var m = el(doc, "div", "cb-msg cb-user");
      m.appendChild(el(doc, "p", "cb-who", "You"));
      m.appendChild(el(doc, "p", "cb-text", q));
      log.appendChild(m);
      return m;
    }

    function addAnswer(data) {
      var citations = Array.isArray(data.citations) ? data.citations : [];
      var covered = !!data.grounded;
      var cls = "cb-msg cb-bot";
      if (!covered) cls += notCovered(data) ? " cb-notcovered" : " cb-unsure";
      var m = el(doc, "article", cls);
      m.setAttribute("aria-label", "careersbot's answer");
      m.appendChild(el(doc, "p", "cb-who", "careersbot"));
      var body = el(doc, "div", "cb-answer");
      if (!covered && notCovered(data)) body.appendChild(el(doc, "p", "cb-badge", "Not covered by the standards"));
      var byMarker = {}, shown = {};
      citations.forEach(function (c) { if (c) byMarker["[" + str(c.reference) + " " + str(c.id) + "]"] = c; });
      renderText(doc, body, str(data.answer), byMarker, shown);
      m.appendChild(body);

      var offered = offers(data);
      if (offered.length) {
        var sug = el(doc, "div", "cb-suggest");
        sug.appendChild(el(doc, "p", null, notCovered(data) ? "Closest occupations I cover:" : "Choose one:"));
        var ul = el(doc, "ul");
        offered.forEach(function (o) {
          var li = el(doc, "li");
          var b = el(doc, "button", "cb-chip", o.title + " (" + o.reference + ")");
          b.type = "button";
          b.setAttribute("data-ref", o.reference);
          b.addEventListener("click", function () {
            setOccupation(o);
            send("Tell me about " + o.title, o.reference);
          });
          li.appendChild(b);
          ul.appendChild(li);
        });
        sug.appendChild(ul);
        m.appendChild(sug);
      }

      var rest = citations.filter(function (c) { return c && !shown["[" + str(c.reference) + " " + str(c.id) + "]"]; });
      if (rest.length) {
        var sec = el(doc, "section", "cb-cites");
        var more = rest.length < citations.length ? " more" : "";
        var h = el(doc, "h3", null, rest.length === 1 ? "1" + more + " cited passage" : rest.length + more + " cited passages");
        h.id = pfx + "cites-" + log.children.length;
        sec.setAttribute("aria-labelledby", h.id);
        sec.appendChild(h);
        var ol = el(doc, "ol", "cb-cards");
        rest.forEach(function (c) { ol.appendChild(card(doc, c)); });
        sec.appendChild(ol);
        m.appendChild(sec);
      }
      log.appendChild(m);

      var shared = sharedOccupation(citations);
      if (shared) setOccupation(shared);
      return m;
    }

    function addError(e) {
      var m = el(doc, "div", "cb-msg cb-error");
      m.appendChild(el(doc, "p", "cb-who", "careersbot"));
      m.appendChild(el(doc, "p", "cb-error-title", e.title));
      m.appendChild(el(doc, "p", "cb-error-text", e.text));
      log.appendChild(m);
      return m;
    }

    function send(q, occupation) {
      q = String(q).trim();
      if (!q) {
        input.focus();
        return;
      }
      if (state.pending) return;
      var asked = addUser(q);
      setPending(true, q);
      var body = { question: q };
      if (occupation) body.occupation = occupation;
      var ctrl = typeof AbortController === "function" ? new AbortController() : null;
      var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS) : null;
      var restore = function () { if (!input.value) { input.value = q; updateCount(); } };
      fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        signal: ctrl ? ctrl.signal : undefined
      }).then(function (resp) {
        return resp.text().then(function (t) {
          var data = null;
          try { data = JSON.parse(t); } catch (e) { data = null; }
          return { resp: resp, data: data };
        });
      }).then(function (r) {
        if (!r.resp.ok) {
          addError(errorMessage(r.resp.status, r.data, r.resp.headers.get("Retry-After"), opts.crossOrigin));
          if (r.resp.status === 429 || r.resp.status >= 500) restore();
        } else if (!r.data || typeof r.data.answer !== "string") {
          addError({ title: "No answer", text: "careersbot sent a reply that couldn't be read. Please try again." });
        } else {
          addAnswer(r.data);
        }
      }).catch(function (err) {
        if (err && err.name === "AbortError") {
          addError({ title: "No answer in time", text: "careersbot took too long to answer. Please try again." });
        } else {
          addError(errorMessage(0, null, null, opts.crossOrigin));
        }
        restore();
      }).then(function () {
        if (timer) clearTimeout(timer);
        setPending(false);
        reveal(asked);
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (state.pending) return;
      var q = input.value.trim();
      if (!q) {
        input.focus();
        return;
      }
      input.value = "";
      updateCount();
      send(q, state.occupation && state.occupation.reference);
    });

    return {
      element: chat,
      input: input,
      focus: function () { input.focus(); },
      ask: function (q) { send(q, state.occupation && state.occupation.reference); }
    };
  }

  return { mount: mount };
})();
