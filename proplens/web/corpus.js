/* proplens corpus view: outlets ranked by technique rate, lean side by side, a monthly trend and
   an outlet × technique heat map, each figure with its interval and number of articles, and a
   drill-down from any figure to its articles (which open, marked, on the main page).
   Offline: no library, no CDN. Every stored string reaches the page through textContent or an
   attribute, never as HTML. Everything is reachable with the keyboard (buttons, focusable points). */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var SIDES = ["left", "center", "right"];
  var SIDE_COLOURS = { left: "#3b6fb6", center: "#7b8794", right: "#c0392b" };
  var SIDE_KEY = "bias";
  var state = { titles: {}, colours: {}, hasSide: false, drill: null, page: 1 };

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  async function api(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      (Array.isArray(v) ? v : [v]).forEach(function (x) {
        if (x !== null && x !== undefined && x !== "") query.append(k, String(x));
      });
    });
    var response = await fetch(path + (query.toString() ? "?" + query : ""));
    var body = await response.json().catch(function () { return {}; });
    if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : "The server answered " + response.status + ".");
    return body;
  }

  function fmt(x, digits) { return x === null || x === undefined ? "–" : Number(x).toFixed(digits === undefined ? 1 : digits); }

  function interval(r) {
    return fmt(r.spans_per_1000_words) + " [" + fmt(r.spans_per_1000_words_low) + "–" + fmt(r.spans_per_1000_words_high) + "]";
  }

  function title(t) { return state.titles[t] || t; }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* The filters of the form, as API parameters. */
  function filters(withSide) {
    var where = [];
    var side = $("cv-side").value;
    if (withSide && side) where.push(SIDE_KEY + "=" + side);
    var tech = $("cv-technique").value;
    return {
      where: where,
      technique: tech ? [tech] : [],
      since: $("cv-since").value.trim(),
      until: $("cv-until").value.trim()
    };
  }

  function merge(a, b) { return Object.assign({}, a, b); }

  /* A horizontal bar with its interval whisker, scaled to `max`. */
  function bar(r, max, colour, width) {
    width = width || 220;
    var h = 14, scale = function (v) { return max > 0 ? Math.min(width, (width * (v || 0)) / max) : 0; };
    var s = svg("svg", { width: width + 4, height: h, class: "cv-bar", "aria-hidden": "true", focusable: "false" });
    s.appendChild(svg("rect", { x: 0, y: 2, width: scale(r.spans_per_1000_words), height: h - 4, fill: colour || "#2f5d8a", rx: 2 }));
    if (r.spans_per_1000_words_low !== null && r.spans_per_1000_words_high !== null) {
      var y = h / 2;
      s.appendChild(svg("line", { x1: scale(r.spans_per_1000_words_low), x2: scale(r.spans_per_1000_words_high), y1: y, y2: y, stroke: "#111", "stroke-width": 1.5 }));
      [r.spans_per_1000_words_low, r.spans_per_1000_words_high].forEach(function (v) {
        s.appendChild(svg("line", { x1: scale(v), x2: scale(v), y1: 3, y2: h - 3, stroke: "#111", "stroke-width": 1.5 }));
      });
    }
    return s;
  }

  function cellButton(text, label, drill) {
    return el("button", { type: "button", class: "cv-cell", text: text, "aria-label": label, onclick: function () { openDrill(drill); } });
  }

  function describe(r, what) {
    return what + ": " + fmt(r.spans_per_1000_words) + " marks per 1,000 words (95% interval " +
      fmt(r.spans_per_1000_words_low) + " to " + fmt(r.spans_per_1000_words_high) + "), " + r.articles + " articles";
  }

  /* ---- outlets ranked ---------------------------------------------------------------------- */
  function renderRank(data) {
    var rows = data.rows.slice().sort(function (a, b) { return b.spans_per_1000_words - a.spans_per_1000_words; });
    var few = rows.length <= 20; // show them all at once; else the 15 highest and 15 lowest
    var n = few ? rows.length : 15;
    var max = Math.max.apply(null, rows.map(function (r) { return r.spans_per_1000_words_high || r.spans_per_1000_words; }).concat([0]));
    var tech = $("cv-technique").value;
    $("cv-rank-bottom").parentNode.hidden = few;
    $("cv-rank-bottom").parentNode.parentNode.classList.toggle("cv-one", few);
    $("cv-rank-top-h").textContent = few ? "All, highest first" : "Highest";
    var parts = [["cv-rank-top", rows.slice(0, n), 1]];
    if (!few) parts.push(["cv-rank-bottom", rows.slice(rows.length - n).reverse(), -1]);
    parts.forEach(function (part) {
      var table = $(part[0]);
      table.replaceChildren(el("thead", {}, [el("tr", {}, [
        el("th", { class: "num", text: "#" }), el("th", { text: "outlet" }), el("th", { class: "num", text: "articles" }),
        el("th", { text: "per 1,000 words [95%]" })])]));
      var body = el("tbody");
      part[1].forEach(function (r, i) {
        var rank = part[2] > 0 ? i + 1 : rows.length - i;
        var where = filters(true).where.concat(["source=" + r.source]);
        body.appendChild(el("tr", {}, [
          el("td", { class: "num", text: String(rank) }),
          el("td", {}, [cellButton(r.source, describe(r, r.source), { where: where, technique: tech ? [tech] : [], what: r.source + (tech ? " · " + title(tech) : "") })]),
          el("td", { class: "num", text: String(r.articles) }),
          el("td", {}, [bar(r, max), el("span", { class: "cv-num", text: " " + interval(r) })])
        ]));
      });
      table.appendChild(body);
    });
    var hidden = (data.excluded || {}).below_min_articles;
    $("cv-rank-note").textContent = rows.length + " outlets with at least " + data.filters.min_articles + " articles" +
      (hidden ? "; " + hidden.groups + " smaller outlets (" + hidden.articles + " articles) hidden" : "") +
      (tech ? "; counting " + title(tech) + " only" : "; counting every technique") + ".";
  }

  /* ---- lean side by side ------------------------------------------------------------------- */
  function renderSides(data) {
    var byTech = {};
    data.rows.forEach(function (r) { (byTech[r.technique] = byTech[r.technique] || {})[r[SIDE_KEY]] = r; });
    var order = Object.keys(byTech).sort(function (a, b) {
      var sum = function (t) { return SIDES.reduce(function (s, k) { return s + ((byTech[t][k] || {}).spans || 0); }, 0); };
      return sum(b) - sum(a);
    });
    var max = 0;
    data.rows.forEach(function (r) { max = Math.max(max, r.spans_per_1000_words_high || r.spans_per_1000_words); });
    var table = $("cv-sides");
    var legend = el("div", { class: "cv-legend" }, SIDES.map(function (k) {
      return el("span", {}, [el("i", { style: "background:" + SIDE_COLOURS[k] }), document.createTextNode(k)]);
    }));
    table.replaceChildren(el("caption", {}, [legend]), el("thead", {}, [el("tr", {}, [
      el("th", { text: "technique" }), el("th", { text: "per 1,000 words [95%], by lean" })])]));
    var body = el("tbody");
    order.forEach(function (t) {
      var cell = el("td");
      SIDES.forEach(function (k) {
        var r = byTech[t][k];
        if (!r) return;
        var line = el("div", {}, [bar(r, max, SIDE_COLOURS[k], 260)]);
        line.appendChild(cellButton(" " + k + " " + interval(r) + " (n=" + r.articles + ")", describe(r, title(t) + ", " + k),
          { where: [SIDE_KEY + "=" + k], technique: [t], what: title(t) + " · " + k }));
        cell.appendChild(line);
      });
      body.appendChild(el("tr", {}, [el("th", { scope: "row", text: title(t) }), cell]));
    });
    table.appendChild(body);
    $("cv-side-note").textContent = "Each bar: one lean's articles; the whisker is the 95% interval. " +
      "Lean is the outlet's AllSides rating (`" + SIDE_KEY + "`), not a judgement of the article.";
  }

  /* ---- trend ------------------------------------------------------------------------------- */
  function renderTrend(data, bySide) {
    var box = $("cv-trend");
    box.replaceChildren();
    var rows = data.rows;
    if (!rows.length) { box.textContent = "No article with a usable date matches."; return; }
    var months = monthRange(rows.map(function (r) { return r.month; }));
    var series = bySide ? SIDES.filter(function (k) { return rows.some(function (r) { return r[SIDE_KEY] === k; }); }) : ["all"];
    var W = 1100, H = 320, L = 48, R = 40, T = 10, B = 46;
    var max = Math.max.apply(null, rows.map(function (r) { return r.spans_per_1000_words_high || r.spans_per_1000_words; }).concat([1]));
    var x = function (m) { return L + (months.length < 2 ? 0 : ((W - L - R) * months.indexOf(m)) / (months.length - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - (v || 0) / max); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "group", "aria-label": "Marks per 1,000 words by month" });
    for (var i = 0; i <= 4; i++) {
      var v = (max * i) / 4;
      s.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#e5e7eb" }));
      var lab = svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#5f6b7a" });
      lab.textContent = v.toFixed(0);
      s.appendChild(lab);
    }
    var step = months.length > 36 ? 12 : months.length > 12 ? 3 : 1;
    months.forEach(function (m, i) {
      if (step === 12 ? m.slice(5) !== "01" : i % step) return;
      var t = svg("text", { x: x(m), y: H - B + 16, "text-anchor": "middle", "font-size": 11, fill: "#5f6b7a" });
      t.textContent = m;
      s.appendChild(t);
    });
    series.forEach(function (k) {
      var mine = rows.filter(function (r) { return !bySide || r[SIDE_KEY] === k; }).sort(function (a, b) { return a.month < b.month ? -1 : 1; });
      var colour = bySide ? SIDE_COLOURS[k] || "#2f5d8a" : "#2f5d8a";
      runs(mine, months).forEach(function (run) { // a line and band per run of consecutive months
        var withCi = run.filter(function (r) { return r.spans_per_1000_words_low !== null; });
        if (withCi.length > 1) {
          var pts = withCi.map(function (r) { return x(r.month) + "," + y(r.spans_per_1000_words_high); })
            .concat(withCi.slice().reverse().map(function (r) { return x(r.month) + "," + y(r.spans_per_1000_words_low); }));
          s.appendChild(svg("polygon", { points: pts.join(" "), fill: colour, opacity: 0.12 }));
        }
        if (run.length === 1 && withCi.length === 1) { // an isolated month: its interval as a whisker
          var r0 = run[0];
          s.appendChild(svg("line", { x1: x(r0.month), x2: x(r0.month), y1: y(r0.spans_per_1000_words_low), y2: y(r0.spans_per_1000_words_high), stroke: colour, "stroke-width": 1.5, opacity: 0.6 }));
        }
        if (run.length > 1) {
          s.appendChild(svg("polyline", { points: run.map(function (r) { return x(r.month) + "," + y(r.spans_per_1000_words); }).join(" "), fill: "none", stroke: colour, "stroke-width": 2 }));
        }
      });
      mine.forEach(function (r) {
        var label = describe(r, (bySide ? k + ", " : "") + r.month);
        var dot = svg("circle", { cx: x(r.month), cy: y(r.spans_per_1000_words), r: 3.5, fill: colour, tabindex: 0, role: "button", "aria-label": label });
        var tip = svg("title"); tip.textContent = label; dot.appendChild(tip);
        var drill = { where: (bySide ? [SIDE_KEY + "=" + k] : filters(true).where).concat(["month=" + r.month]), technique: filters(false).technique, what: [bySide ? k : $("cv-side").value, r.month].filter(Boolean).join(" · ") };
        dot.addEventListener("click", function () { openDrill(drill); });
        dot.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openDrill(drill); } });
        s.appendChild(dot);
      });
    });
    box.appendChild(s);
    if (bySide) {
      box.appendChild(el("div", { class: "cv-legend" }, series.map(function (k) {
        return el("span", {}, [el("i", { style: "background:" + SIDE_COLOURS[k] }), document.createTextNode(k)]);
      })));
    }
    var ex = data.excluded || {};
    $("cv-trend-note").textContent = "Band: 95% interval. Months with fewer than 5 articles are left out (gaps). " +
      "Not on this chart: " + (ex.no_date || 0) + " articles without a date and " + (ex.unparsable_date || 0) +
      " whose date could not be parsed (they are kept in the store as given).";
  }

  /* Every month from the first to the last of `found` ("YYYY-MM"), so gaps keep their width. */
  function monthRange(found) {
    var sorted = found.slice().sort(), out = [];
    if (!sorted.length) return out;
    var y = +sorted[0].slice(0, 4), m = +sorted[0].slice(5, 7), last = sorted[sorted.length - 1];
    for (var guard = 0; guard < 2400; guard++) {
      var label = y + "-" + (m < 10 ? "0" : "") + m;
      out.push(label);
      if (label >= last) break;
      m += 1;
      if (m > 12) { m = 1; y += 1; }
    }
    return out;
  }

  /* Split a series at missing months: a line never bridges months without data. */
  function runs(rows, months) {
    var out = [], current = [], prev = -2;
    rows.forEach(function (r) {
      var i = months.indexOf(r.month);
      if (i !== prev + 1 && current.length) { out.push(current); current = []; }
      current.push(r);
      prev = i;
    });
    if (current.length) out.push(current);
    return out;
  }

  /* ---- heat map ---------------------------------------------------------------------------- */
  function heatColour(v, max) {
    var t = max > 0 ? Math.min(1, v / max) : 0;
    var from = [240, 244, 250], to = [25, 55, 110];
    var c = from.map(function (f, i) { return Math.round(f + (to[i] - f) * Math.sqrt(t)); });
    return { bg: "rgb(" + c.join(",") + ")", fg: t > 0.35 ? "#fff" : "#1f2933" };
  }

  function renderHeat(data) {
    var sizes = {};
    data.rows.forEach(function (r) { sizes[r.source] = Math.max(sizes[r.source] || 0, r.articles); });
    var outlets = Object.keys(sizes).sort(function (a, b) { return sizes[b] - sizes[a]; }).slice(0, 30);
    var totals = {};
    data.rows.forEach(function (r) { totals[r.technique] = (totals[r.technique] || 0) + r.spans; });
    var techs = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; });
    var cell = {}, max = 0;
    data.rows.forEach(function (r) { cell[r.source + "\u0000" + r.technique] = r; if (outlets.indexOf(r.source) >= 0) max = Math.max(max, r.spans_per_1000_words); });
    var table = $("cv-heat");
    table.replaceChildren(el("thead", {}, [el("tr", {}, [el("th", { text: "outlet (articles)" })].concat(techs.map(function (t) {
      return el("th", { class: "cv-tech", scope: "col", text: title(t) });
    })))]));
    var body = el("tbody");
    outlets.forEach(function (o) {
      var tr = el("tr", {}, [el("th", { scope: "row", text: o + " (" + sizes[o] + ")" })]);
      techs.forEach(function (t) {
        var r = cell[o + "\u0000" + t];
        var td = el("td", { class: "cv-hc" });
        if (r) {
          var c = heatColour(r.spans_per_1000_words, max);
          var b = el("button", { type: "button", text: fmt(r.spans_per_1000_words), style: "background:" + c.bg + ";color:" + c.fg, "aria-label": describe(r, o + ", " + title(t)), title: describe(r, o + ", " + title(t)) });
          b.addEventListener("click", function () { openDrill({ where: filters(true).where.concat(["source=" + o]), technique: [t], what: o + " · " + title(t) }); });
          td.appendChild(b);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
  }

  /* ---- drill-down -------------------------------------------------------------------------- */
  function openDrill(drill) {
    state.drill = drill;
    state.page = 1;
    loadDrill(true);
  }

  async function loadDrill(focus) {
    var d = state.drill, f = filters(false);
    $("cv-drill").hidden = false;
    $("cv-drill-what").textContent = d.what;
    var list = $("cv-articles");
    list.replaceChildren();
    try {
      var data = await api("/api/corpus/articles", { where: d.where, technique: d.technique, since: f.since, until: f.until, page: state.page, per_page: 20 });
      var techText = d.technique.length ? " of " + d.technique.map(title).join(", ") : "";
      data.items.forEach(function (a) {
        list.appendChild(el("li", {}, [
          el("a", { href: "/#/article/" + encodeURIComponent(a.id), text: a.title || a.doc_id || "Article " + a.id }),
          el("div", { class: "cv-meta", text: [a.source, a.date || "no date", plural(a.spans, "mark") + techText, a.n_words + " words"].join(" · ") })
        ]));
      });
      var pages = Math.max(1, Math.ceil(data.total / data.per_page));
      $("cv-page").textContent = "page " + data.page + " of " + pages;
      $("cv-prev").disabled = data.page <= 1;
      $("cv-next").disabled = data.page >= pages;
      $("cv-drill-note").textContent = plural(data.total, "article") + ", most marks" + techText + " first. Open one to see its marks.";
    } catch (err) {
      $("cv-drill-note").textContent = err.message;
    }
    if (focus) $("cv-drill-h").focus();
  }

  /* ---- loading ----------------------------------------------------------------------------- */
  async function load() {
    var status = $("cv-status");
    status.textContent = "Loading…";
    var min = Math.max(1, parseInt($("cv-min").value, 10) || 1);
    var side = $("cv-side").value;
    try {
      var jobs = [
        api("/api/corpus/stats", merge(filters(true), { by: "source", min_articles: min, sort: "rate" })),
        api("/api/corpus/stats", merge(filters(true), { by: "source,technique", min_articles: min, technique: [] })),
        api("/api/corpus/stats", merge(filters(!state.hasSide || !!side), { by: state.hasSide && !side ? SIDE_KEY + ",month" : "month", min_articles: 5 }))
      ];
      if (state.hasSide) jobs.push(api("/api/corpus/stats", merge(filters(false), { by: SIDE_KEY + ",technique", technique: [] })));
      var res = await Promise.all(jobs);
      renderRank(res[0]);
      renderHeat(res[1]);
      renderTrend(res[2], state.hasSide && !side);
      if (state.hasSide) renderSides(res[3]);
      $("cv-model").textContent = res[0].model ? "model " + res[0].model : "";
      status.textContent = res[0].model
        ? res[0].articles.toLocaleString("en") + " articles analysed by " + res[0].model + " match these filters."
        : "No analysed articles yet: run proplens batch first.";
    } catch (err) {
      status.textContent = err.message;
    }
  }

  async function init() {
    try {
      var got = await Promise.all([api("/api/techniques"), api("/api/corpus/keys")]);
      got[0].forEach(function (t) {
        state.titles[t.name] = t.title;
        state.colours[t.name] = t.colour;
        $("cv-technique").appendChild(el("option", { value: t.name, text: t.title }));
      });
      var sides = (got[1].values || {})[SIDE_KEY] || [];
      state.hasSide = sides.length > 0;
      sides.forEach(function (v) { $("cv-side").appendChild(el("option", { value: v, text: v })); });
      $("cv-side-label").hidden = !state.hasSide;
      $("cv-side-section").hidden = !state.hasSide;
    } catch (err) {
      $("cv-status").textContent = err.message;
      return;
    }
    $("cv-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
    $("cv-prev").addEventListener("click", function () { state.page -= 1; loadDrill(false); });
    $("cv-next").addEventListener("click", function () { state.page += 1; loadDrill(false); });
    await load();
    document.body.setAttribute("data-ready", "1");
  }

  init();
})();
