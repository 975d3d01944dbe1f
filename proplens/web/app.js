/* proplens web page: input, routing and corpus view. Rendering is render.js (shared with reports). */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var TECHNIQUES = [];
  var TITLES = {};

  var el = ProplensRender.el;  // one DOM helper, shared with render.js

  function status(message, isError) {
    var s = $("pl-status");
    s.textContent = message || "";
    s.classList.toggle("pl-error", !!isError);
  }

  async function fetchJSON(url, init) {
    var response = await fetch(url, init);
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      var detail = body && body.detail ? body.detail : "The server answered " + response.status + ".";
      throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return body;
  }

  /* ---------------- analyse ---------------- */
  var busy = false, lastInit = null;
  async function analyse(init, label) {
    if (busy) return;
    busy = true;
    $("pl-submit").disabled = true;
    status(label || "Analysing…");
    try {
      var t0 = performance.now();
      var data = await fetchJSON("/api/analyze", init);
      var result = $("pl-result");
      result.hidden = false;
      ProplensRender.render(result, data, { onCorrection: hasStore ? saveCorrection : null });
      lastInit = init;
      $("pl-download").hidden = false;
      var n = data.spans.length;
      status(n + (n === 1 ? " mark" : " marks") + " found in " + ((performance.now() - t0) / 1000).toFixed(1) + " s.");
      result.scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (err) {
      status(err.message, true);
    } finally {
      busy = false;
      $("pl-submit").disabled = false;
    }
  }

  /* With --db, each correction is stored on the server as it is made. */
  async function saveCorrection(correction, article) {
    var saved = await fetchJSON("/api/corrections", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ article: article, correction: correction }),
    });
    return "Saved on the server (" + saved.total + (saved.total === 1 ? " correction" : " corrections") + " stored).";
  }

  function analyseText() {
    var text = $("pl-text").value;
    var url = $("pl-url").value.trim();
    if (!text.trim() && /^https?:\/\//i.test(url)) {
      var req = { url: url };
      ["title", "source"].forEach(function (k) {
        var v = $("pl-" + k).value.trim();
        if (v) req[k] = v;
      });
      analyse({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) },
        "Fetching " + url + "…");
      return;
    }
    if (!text.trim()) { status("Paste an article or a web address first, or drop a file.", true); $("pl-text").focus(); return; }
    var body = { text: text };
    ["title", "source", "url"].forEach(function (k) {
      var v = $("pl-" + k).value.trim();
      if (v) body[k] = v;
    });
    analyse({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  function analyseFile(file) {
    if (!file) return;
    var form = new FormData();
    form.append("file", file, file.name);
    ["title", "source", "url"].forEach(function (k) {
      var v = $("pl-" + k).value.trim();
      if (v) form.append(k, v);
    });
    analyse({ method: "POST", body: form }, "Reading " + file.name + "…");
  }

  async function downloadReport() {
    if (!lastInit || busy) return;
    status("Preparing the report…");
    try {
      var response = await fetch("/api/report", lastInit);
      if (!response.ok) {
        var body = await response.json().catch(function () { return {}; });
        throw new Error(body.detail || "The server answered " + response.status + ".");
      }
      var m = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      var url = URL.createObjectURL(await response.blob());
      var a = el("a", { href: url, download: m ? m[1] : "proplens-report.html" });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      status("Report saved: one HTML file that opens offline in any browser.");
    } catch (err) {
      status(err.message, true);
    }
  }

  function setupInput() {
    $("pl-download").addEventListener("click", downloadReport);
    $("pl-form").addEventListener("submit", function (e) { e.preventDefault(); analyseText(); });
    $("pl-text").addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyseText(); }
    });
    var drop = $("pl-drop"), file = $("pl-file"), form = $("pl-form");
    drop.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); file.click(); }
    });
    file.addEventListener("change", function () { analyseFile(file.files[0]); file.value = ""; });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("pl-over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove("pl-over"); });
    });
    form.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) analyseFile(e.dataTransfer.files[0]);
    });
  }

  /* ---------------- corpus ---------------- */
  var corpus = { page: 1, sort: null, dir: 1, items: [] };

  function bars(container, rows, fmt) {
    container.textContent = "";
    if (!rows.length) { container.appendChild(el("p", { class: "pl-empty", text: "No data yet." })); return; }
    var SVG = "http://www.w3.org/2000/svg";
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; })) || 1;
    var rowH = 26, labelW = 190, barW = 170, W = labelW + barW + 50;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + rows.length * rowH);
    svg.setAttribute("width", "100%");
    svg.setAttribute("role", "img");
    svg.setAttribute("class", "pl-bars");
    svg.setAttribute("aria-label", rows.map(function (r) { return r.label + " " + fmt(r.value); }).join(", "));
    rows.forEach(function (r, i) {
      var y = i * rowH, w = Math.max(2, barW * r.value / max);
      var t = document.createElementNS(SVG, "text");
      t.setAttribute("x", labelW - 8); t.setAttribute("y", y + 17); t.setAttribute("text-anchor", "end");
      t.setAttribute("class", "pl-bar-label");
      t.textContent = r.label.length > 28 ? r.label.slice(0, 27) + "…" : r.label;
      var rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", labelW); rect.setAttribute("y", y + 5); rect.setAttribute("width", w);
      rect.setAttribute("height", rowH - 10); rect.setAttribute("rx", 3); rect.setAttribute("fill", r.colour || "#2f5d8a");
      var v = document.createElementNS(SVG, "text");
      v.setAttribute("x", labelW + w + 6); v.setAttribute("y", y + 17); v.setAttribute("class", "pl-bar-value");
      v.textContent = fmt(r.value);
      svg.appendChild(t); svg.appendChild(rect); svg.appendChild(v);
    });
    container.appendChild(svg);
  }

  function topTechniques(counts) {
    return Object.keys(counts || {}).sort(function (a, b) { return counts[b] - counts[a]; }).slice(0, 3);
  }

  function drawCorpus() {
    var items = corpus.items.slice();
    if (corpus.sort) {
      var k = corpus.sort;
      items.sort(function (a, b) {
        var x = a[k], y = b[k];
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * corpus.dir;
      });
    }
    document.querySelectorAll("#pl-table th[data-key]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-key") === corpus.sort ? (corpus.dir > 0 ? "ascending" : "descending") : "none");
    });
    var body = document.querySelector("#pl-table tbody");
    body.textContent = "";
    if (!items.length) {
      body.appendChild(el("tr", null, [el("td", { colspan: "6", class: "pl-empty", text: "No stored article matches." })]));
    }
    items.forEach(function (a) {
      var techs = topTechniques(a.techniques).map(function (t) {
        var info = TITLES[t];
        return el("span", { class: "pl-tag" }, [
          el("span", { class: "pl-swatch", style: "background:" + (info ? info.colour : "#6b7280") }),
          (info ? info.title : t) + " " + a.techniques[t],
        ]);
      });
      body.appendChild(el("tr", null, [
        el("td", null, [el("a", { href: "#/article/" + encodeURIComponent(a.id), text: a.title || "Article " + a.id })]),
        el("td", { text: a.source || "—" }),
        el("td", { text: a.date || "—" }),
        el("td", null, techs),
        el("td", { class: "pl-num", text: String(a.n_spans) }),
        el("td", { class: "pl-num", text: (100 * a.density).toFixed(1) + "%" }),
      ]));
    });
  }

  async function loadCharts() {
    try {
      var results = await Promise.all([fetchJSON("/api/stats?by=technique"), fetchJSON("/api/stats?by=source")]);
      var byTech = results[0], bySource = results[1];
      bars($("pl-chart-tech"), byTech.rows.map(function (r) {
        var info = TITLES[r.technique];
        return { label: info ? info.title : r.technique, value: r.spans, colour: info ? info.colour : null };
      }), String);
      bars($("pl-chart-source"), bySource.rows.slice().sort(function (a, b) {
        return b.spans_per_1000_words - a.spans_per_1000_words;
      }).slice(0, 12).map(function (r) {
        return { label: r.source + " (" + r.articles + ")", value: r.spans_per_1000_words };
      }), function (v) { return v.toFixed(1); });
      $("pl-corpus-intro").textContent = "Articles analysed and stored by proplens batch" +
        (byTech.model ? ", model " + byTech.model : "") + ".";
    } catch (err) {
      $("pl-chart-tech").textContent = err.message;
    }
  }

  async function loadCorpus() {
    var params = new URLSearchParams({ page: String(corpus.page), per_page: "100" });
    var q = $("pl-q").value.trim(), src = $("pl-f-source").value.trim(), tech = $("pl-f-technique").value;
    if (q) params.set("q", q);
    if (src) params.set("source", src);
    if (tech) params.set("technique", tech);
    var pager = $("pl-pager");
    try {
      var data = await fetchJSON("/api/articles?" + params.toString());
      corpus.items = data.items;
      var sources = {};
      data.items.forEach(function (a) { if (a.source) sources[a.source] = 1; });
      var list = $("pl-sources");
      Object.keys(sources).forEach(function (s) {
        if (!list.querySelector('option[value="' + CSS.escape(s) + '"]')) list.appendChild(el("option", { value: s }));
      });
      drawCorpus();
      pager.textContent = "";
      var prev = el("button", { type: "button", class: "pl-btn pl-btn-ghost", text: "← Newer" });
      var next = el("button", { type: "button", class: "pl-btn pl-btn-ghost", text: "Older →" });
      prev.disabled = data.page <= 1; next.disabled = data.page >= data.pages;
      prev.addEventListener("click", function () { corpus.page--; loadCorpus(); });
      next.addEventListener("click", function () { corpus.page++; loadCorpus(); });
      pager.appendChild(prev);
      pager.appendChild(el("span", { text: "Page " + data.page + " of " + Math.max(1, data.pages) + " · " + data.total + " articles" }));
      pager.appendChild(next);
    } catch (err) {
      pager.textContent = err.message;
    }
  }

  function setupCorpus() {
    var select = $("pl-f-technique");
    TECHNIQUES.forEach(function (t) { select.appendChild(el("option", { value: t.name, text: t.title })); });
    $("pl-corpus-form").addEventListener("submit", function (e) { e.preventDefault(); corpus.page = 1; loadCorpus(); });
    document.querySelectorAll("#pl-table th[data-key] button").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.parentNode.getAttribute("data-key");
        corpus.dir = corpus.sort === key ? -corpus.dir : (key === "n_spans" || key === "density" ? -1 : 1);
        corpus.sort = key;
        drawCorpus();
      });
    });
  }

  async function showArticle(id) {
    var box = $("pl-article");
    box.textContent = "Loading…";
    try {
      ProplensRender.render(box, await fetchJSON("/api/articles/" + encodeURIComponent(id)),
        { onCorrection: saveCorrection });
    } catch (err) {
      box.textContent = err.message;
    }
  }

  /* ---------------- routing ---------------- */
  var hasStore = false;
  function route() {
    var hash = location.hash || "#/";
    var m = /^#\/article\/(.+)$/.exec(hash);
    var view = m ? "article" : hash === "#/corpus" ? "corpus" : "analyze";
    if ((view === "corpus" || view === "article") && !hasStore) view = "analyze";
    ["analyze", "corpus", "article"].forEach(function (v) { $("pl-view-" + v).hidden = v !== view; });
    $("pl-nav-analyze").setAttribute("aria-current", view === "analyze" ? "page" : "false");
    $("pl-nav-corpus").setAttribute("aria-current", view !== "analyze" ? "page" : "false");
    if (view === "corpus") { loadCorpus(); loadCharts(); }
    if (view === "article") showArticle(decodeURIComponent(m[1]));
  }

  async function start() {
    setupInput();
    try {
      TECHNIQUES = await fetchJSON("/api/techniques");
      TECHNIQUES.forEach(function (t) { TITLES[t.name] = t; });
    } catch (err) { /* the page still works without titles */ }
    try {
      var health = await fetchJSON("/api/health");
      hasStore = !!health.store;
      $("pl-model").textContent = "Model " + health.model.name + " " + (health.model.version || "");
    } catch (err) {
      $("pl-model").textContent = err.message;
      $("pl-model").classList.add("pl-error");
    }
    $("pl-nav-corpus").hidden = !hasStore;
    setupCorpus();
    window.addEventListener("hashchange", route);
    route();
    document.body.setAttribute("data-ready", "true");
  }

  start();
})();
