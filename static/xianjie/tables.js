/* Narrow screens stack every .xj-table (site.css): each cell is shown under the name of its
   column, which this copies from the table's header into the cell's data-label. Runs on every
   page load and Turbo visit; cells that already have a label keep it. */
(function () {
  function label(root) {
    (root || document).querySelectorAll("table.xj-table").forEach(function (table) {
      var names = [];
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) return;
      Array.prototype.forEach.call(head.cells, function (th) {
        var name = th.textContent.replace(/[▲▼]/g, "").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) names.push(name);
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var col = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", cell.colSpan > 1 ? "" : names[col] || "");
            col += cell.colSpan || 1;
          });
        });
      });
    });
  }
  document.addEventListener("turbo:load", function () { label(); });
  document.addEventListener("turbo:frame-load", function (e) { label(e.target); });
  if (document.readyState !== "loading") label();
  else document.addEventListener("DOMContentLoaded", function () { label(); });
})();
