// Draws every chart on the page from the JSON beside it, on first load and after each htmx
// swap. The figures are built on the server; nothing here is inline, so the CSP holds.
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, displaylogo: false };

  function draw(root) {
    if (typeof Plotly === "undefined") return;
    var scope = root.querySelectorAll ? root : document;
    var charts = scope.matches && scope.matches("[data-figure]") ? [scope] : scope.querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(charts, function (div) {
      var source = document.getElementById(div.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      Plotly.react(div, figure.data, figure.layout, config);
    });
  }

  if (window.htmx) {
    htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
