/* The partner snippet: <script src="https://SITE/static/widget.js" data-campaign="SLUG"
   data-lang="ru" data-theme="dark" data-accent="aa3300" data-ref="spring-mailing" async></script>
   It puts an iframe with the petition widget where the script tag is. No cookies, no
   tracking: the iframe page is served by the campaign site alone. The frame tells the site
   only the partner's origin (referrerpolicy "origin": no page path), which credits the
   partner. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-campaign")) { return; }
  var origin = new URL(script.src, document.baseURI).origin;
  var slug = encodeURIComponent(script.getAttribute("data-campaign"));
  var lang = encodeURIComponent(script.getAttribute("data-lang") || "en");
  var query = [];
  var theme = script.getAttribute("data-theme");
  var accent = script.getAttribute("data-accent");
  var ref = script.getAttribute("data-ref");
  if (theme) { query.push("theme=" + encodeURIComponent(theme)); }
  if (accent) { query.push("accent=" + encodeURIComponent(accent.replace(/^#/, ""))); }
  if (ref) { query.push("ref=" + encodeURIComponent(ref)); }
  var frame = document.createElement("iframe");
  frame.src = origin + "/" + lang + "/c/" + slug + "/widget" + (query.length ? "?" + query.join("&") : "");
  frame.title = script.getAttribute("data-title") || "Petition";
  frame.className = "korday-widget";
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "origin");
  frame.style.width = "100%";
  frame.style.maxWidth = script.getAttribute("data-width") || "32rem";
  frame.style.height = "36rem";
  frame.style.border = "0";
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (data && data.type === "korday-widget-height" && typeof data.height === "number") {
      frame.style.height = Math.min(Math.max(data.height, 100), 4000) + "px";
    }
  });
  script.parentNode.insertBefore(frame, script.nextSibling);
}());
