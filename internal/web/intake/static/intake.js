// Progress view of a hotline import: polls the job's status every 500 ms until it ends.
(function () {
  "use strict";
  var box = document.getElementById("intake-job");
  if (!box) return;
  var id = box.getAttribute("data-job");
  function el(k) { return box.querySelector('[data-k="' + k + '"]'); }
  function render(s) {
    el("file").textContent = s.file;
    ["rows", "created", "updated", "unchanged", "rejected", "unlocated"].forEach(function (k) {
      el(k).textContent = s[k];
    });
    var bar = el("bar");
    if (s.total > 0) { bar.max = s.total; bar.value = s.done; } else if (s.status !== "running") { bar.max = 1; bar.value = 1; } else { bar.removeAttribute("value"); }
    var pct = s.status === "done" ? 100 : (s.total > 0 ? Math.min(100, Math.floor(100 * s.done / s.total)) : null);
    el("percent").textContent = pct === null ? "" : pct + "%";
    el("seconds").textContent = s.seconds.toFixed(1);
    // While running, a rate over the first half second says little.
    var settled = s.status !== "running" || s.seconds > 0.5;
    el("rate").textContent = settled && s.seconds > 0 && s.rows > 0 ? Math.round(s.rows / s.seconds).toLocaleString("zh-CN") : "–";
    // Where the rows went, as a stacked bar beside the counts.
    var parts = ["created", "updated", "unchanged", "rejected"];
    var sum = parts.reduce(function (a, k) { return a + s[k]; }, 0);
    parts.forEach(function (k) {
      var seg = el("split-" + k);
      seg.style.flex = "0 0 " + (sum > 0 ? 100 * s[k] / sum : 0) + "%";
      seg.title = s[k];
    });
    var st = el("status");
    st.textContent = st.getAttribute("data-" + s.status) || s.status;
    el("error").textContent = s.error || "";
    var link = el("errors_url");
    if (s.errors_url) { link.href = s.errors_url; link.hidden = false; }
    var list = el("errors");
    list.textContent = "";
    (s.errors || []).forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = "第" + e.line + "行 “" + e.column + "”: " + e.reason;
      list.appendChild(li);
    });
    el("errors-box").hidden = !(s.errors && s.errors.length);
  }
  function poll() {
    fetch("/intake/hotline/jobs/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) { render(s); if (s.status === "running") setTimeout(poll, 500); })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
