/// The console's style sheet and script (no build step). Colours meet WCAG AA contrast on
/// white; focus is always visible; the layout is one column below 700 px (works at 360 px).
enum ConsoleAssets {
    static let css = """
        *{box-sizing:border-box}
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;background:#fff;line-height:1.4}
        header{display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1em;padding:.6em 1em;background:#1f3a5f;color:#fff}
        header a{color:#fff}.brand{font-weight:700}
        nav{display:flex;flex-wrap:wrap;gap:.2em .8em}
        nav a{padding:.2em .1em;text-decoration:none}nav a[aria-current=page]{border-bottom:3px solid #ffd166;font-weight:600}
        .signout{margin-left:auto;display:flex;gap:.5em;align-items:center}
        main{padding:1em;max-width:1200px;margin:0 auto}
        h1{font-size:1.5em;margin:.3em 0 .6em}h2{font-size:1.2em;margin:1.2em 0 .5em}
        a{color:#0b57a4}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #ffb000;outline-offset:2px}
        .skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;color:#000;padding:.3em;z-index:9}
        table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border-bottom:1px solid #d0d0d7;padding:.4em;text-align:left;vertical-align:top}
        th{background:#f2f4f8}.table{overflow-x:auto}
        pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
        pre{margin:0;white-space:pre-wrap;word-break:break-word}
        button{font:inherit;padding:.35em .8em;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;border-radius:4px;cursor:pointer}
        button.secondary{background:#fff;color:#1f3a5f}button.deny{background:#a3211b;border-color:#a3211b}
        input,select,textarea{font:inherit;padding:.3em;border:1px solid #6b6b75;border-radius:4px;max-width:100%}
        textarea{width:100%;font-family:ui-monospace,Menlo,Consolas,monospace}
        label{font-weight:600}.stack{display:flex;flex-direction:column;gap:.4em;max-width:40em}
        .row{display:flex;flex-wrap:wrap;gap:.6em;align-items:end}.row>div{display:flex;flex-direction:column;gap:.2em}
        form.inline{display:inline-flex;gap:.3em;flex-wrap:wrap;align-items:center;margin:.1em 0}
        .muted{color:#5c5c66}.error{color:#a3211b;font-weight:600}.ok{color:#1b6e2a;font-weight:600}
        .tiles{display:flex;flex-wrap:wrap;gap:.4em;margin:.3em 0}
        .tile{border-radius:4px;padding:.25em .55em;border:1px solid;font-size:.9em}
        .allow{background:#e3f4e6;border-color:#1b6e2a;color:#14521f}.deny{background:#fbe4e2;border-color:#a3211b;color:#7d1914}
        .needs_approval,.approval{background:#fff2d6;border-color:#8a5a00;color:#5e3d00}
        .badge{display:inline-block;border-radius:3px;padding:0 .4em;border:1px solid;font-size:.85em}
        .widens{background:#fbe4e2;border-color:#a3211b;color:#7d1914}.narrows{background:#e3f4e6;border-color:#1b6e2a;color:#14521f}
        .neutral{background:#eef0f4;border-color:#6b6b75;color:#333}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1em}
        .card{border:1px solid #d0d0d7;border-radius:6px;padding:.8em}
        .card h2{margin-top:0}meter{width:100%;height:1.1em}
        .tabs{display:flex;gap:1em;margin:.5em 0}.tabs a[aria-current=page]{font-weight:700}
        .side{display:grid;grid-template-columns:1fr 1fr;gap:.5em}.side>div{min-width:0}
        .side ol{margin:0;padding:0 0 0 3em;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;overflow-x:auto}
        .side li{white-space:pre}.side li.del{background:#fbe4e2}.side li.add{background:#e3f4e6}.side li.pad{list-style:none;color:#999}
        ol.listing code{white-space:pre}ol.listing li.bad{background:#fbe4e2;font-weight:600}
        svg text{font-size:10px;fill:#333}
        @media (max-width:700px){main{padding:.6em}.side{grid-template-columns:1fr}.signout{margin-left:0}
        table.stacked thead{display:none}table.stacked tr{display:block;border-bottom:2px solid #d0d0d7;padding:.3em 0}
        table.stacked td{display:block;border:0;padding:.15em .2em}table.stacked td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
        """

    /// Keeps `[data-live]` regions current without disturbing whoever works in them. Every 2 s
    /// (not while the tab is hidden) the region's URL is fetched (the session's cookie goes with
    /// it); the answer replaces the region only when its `data-signature` (the approvals' ids,
    /// statuses and votes) differs, and never while focus is inside the region or a comment
    /// holds text: it then waits until the operator leaves. Ages and expiries are drawn here
    /// every second from `data-since`/`data-until` and the node's clock (`data-now`), so time
    /// passing redraws no row. A swap is announced in the region's one-line status
    /// (`#<id>-status`, a polite live region), not by re-reading the table.
    static let script = """
        "use strict";
        (function () {
          function each(list, action) { Array.prototype.forEach.call(list, action); }
          function age(millis) {
            var s = Math.max(0, Math.floor(millis / 1000));
            if (s < 60) { return s + " s"; }
            if (s < 3600) { return Math.floor(s / 60) + " min"; }
            if (s < 86400) { return Math.floor(s / 3600) + " h"; }
            return Math.floor(s / 86400) + " d";
          }
          function watch(region) {
            var url = region.getAttribute("data-live");
            var status = document.getElementById(region.id + "-status");
            var offset = 0;
            var waiting = null;
            function root(node) { return node.querySelector("[data-signature]"); }
            function clock(from) {
              if (from && from.hasAttribute("data-now")) { offset = Number(from.getAttribute("data-now")) - Date.now(); }
            }
            function draw() {
              var now = Date.now() + offset;
              each(region.querySelectorAll("[data-since]"), function (cell) {
                cell.textContent = age(now - Number(cell.getAttribute("data-since")));
              });
              each(region.querySelectorAll("[data-until]"), function (cell) {
                cell.textContent = age(Number(cell.getAttribute("data-until")) - now);
              });
            }
            function busy() {
              if (region.contains(document.activeElement)) { return true; }
              var typing = false;
              each(region.querySelectorAll("input[name=comment]"), function (input) { typing = typing || input.value !== ""; });
              return typing;
            }
            function swap() {
              if (waiting === null || busy()) { return; }
              region.innerHTML = waiting;
              waiting = null;
              var shown = root(region);
              if (status && shown) { status.textContent = "Updated: " + shown.getAttribute("data-summary") + "."; }
              draw();
            }
            function tick() {
              if (document.hidden) { return setTimeout(tick, 2000); }
              fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (answer) {
                if (answer.status === 200) { return answer.text(); }
                if (answer.status === 401) { window.location.href = "/console/login"; }
                return null;
              }).then(function (text) {
                if (text !== null) {
                  var holder = document.createElement("template");
                  holder.innerHTML = text;
                  var fresh = root(holder.content);
                  var shown = root(region);
                  clock(fresh);
                  var changed = !fresh || !shown || fresh.getAttribute("data-signature") !== shown.getAttribute("data-signature");
                  waiting = changed ? text : null;
                  swap();
                }
                region.setAttribute("data-updated", String(Date.now()));
              }).catch(function () {}).then(function () { setTimeout(tick, 2000); });
            }
            clock(root(region));
            setInterval(function () { draw(); swap(); }, 1000);
            setTimeout(tick, 2000);
          }
          document.addEventListener("DOMContentLoaded", function () {
            each(document.querySelectorAll("[data-live]"), watch);
          });
        })();
        """
}
