/* careersbot page: mounts the chat (chat.js) on the page served at /. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || typeof CareersbotChat === "undefined") return;
  var max = parseInt(root.getAttribute("data-max-chars") || "", 10);
  var chat = CareersbotChat.mount(root, {
    endpoint: new URL(root.getAttribute("data-endpoint") || "v1/ask", document.baseURI).href,
    maxChars: max > 0 ? max : 1000,
    facts: root.getAttribute("data-facts") || "",
    idPrefix: "cb-",
    layout: "page"
  });
  // A keyboard or mouse user starts typing at once; on touch screens the
  // keyboard stays closed until the box is tapped.
  if (window.matchMedia && window.matchMedia("(pointer: fine)").matches) chat.focus();
})();
