// Starts the chat widget with the options the server put into the page (no inline script: CSP).
"use strict";
(function () {
  const options = JSON.parse(document.getElementById("chat-options").textContent);
  // The widget's default typing delay adds 0.8-3 s per bubble; a short fixed pause reads naturally.
  options.customMessageDelay = () => 150;
  window.WebChat.default(options, null);
})();
