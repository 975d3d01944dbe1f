/* proplens renderer: turns the analysis JSON (what POST /api/analyze returns) into an
 * interactive view. Shared by the web page and the self-contained HTML report.
 * Article text only ever enters the page through textContent / createTextNode, never as HTML. */
(function (global) {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "class") node.className = attrs[k];
        else if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    return node;
  }

  function pct(x, digits) {
    return (100 * x).toFixed(digits === undefined ? 0 : digits) + "%";
  }

  /* A probability as a percentage; tiny non-zero values show as "<1%" rather than "0%". */
  function prob(x) {
    return x > 0 && x < 0.005 ? "<1%" : pct(x);
  }

  function rgba(hex, alpha) {
    var m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    var n = m ? parseInt(m[1], 16) : 0x6b7280;
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function truncate(s, n) {
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  /* Cut the text at every boundary; each piece lists the indices of the spans covering it. */
  function segments(text, spans, extraCuts) {
    var starts = {}, ends = {}, bounds = [0, text.length];
    spans.forEach(function (s, i) {
      (starts[s.start] = starts[s.start] || []).push(i);
      (ends[s.end] = ends[s.end] || []).push(i);
      bounds.push(s.start, s.end);
    });
    (extraCuts || []).forEach(function (c) { bounds.push(c); });
    bounds = bounds
      .filter(function (b) { return b >= 0 && b <= text.length; })
      .sort(function (a, b) { return a - b; })
      .filter(function (b, i, arr) { return i === 0 || b !== arr[i - 1]; });
    /* One sweep over the boundaries, keeping the spans open at each point. */
    var active = [], out = [];
    for (var i = 0; i + 1 < bounds.length; i++) {
      var a = bounds[i];
      var closing = ends[a] || [];
      if (closing.length) active = active.filter(function (j) { return closing.indexOf(j) < 0; });
      (starts[a] || []).forEach(function (j) { active.push(j); });
      out.push({ start: a, end: bounds[i + 1], cover: active.slice().sort(function (x, y) { return x - y; }) });
    }
    return out;
  }

  function coveredChars(spans) {
    var sorted = spans.slice().sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    var total = 0, cs = -1, ce = -1;
    sorted.forEach(function (s) {
      if (s.start > ce) { total += ce - cs; cs = s.start; ce = s.end; }
      else if (s.end > ce) ce = s.end;
    });
    return total + (ce - cs);
  }

  /* Text wrapped at a fixed width (PDF extractions) reads better reflowed: single line breaks
   * are shown as spaces. Display only; the text and every offset stay as they are. */
  function displayText(text) {
    var lines = text.split("\n").filter(function (l) { return l.trim(); });
    var wrapped = lines.filter(function (l) { return l.length >= 40 && l.length <= 120; }).length;
    if (lines.length < 5 || wrapped < 0.6 * lines.length) return text;
    // A hyphen at a line end ("in-\ndepth") joins with a zero-width space, not a visible one;
    // one character for one, so offsets still line up.
    return text
      .replace(/([A-Za-z]-)\n(?=[a-z])/g, "$1\u200b")
      .replace(/([^\n])\n(?=[^\n])/g, "$1 ");
  }

  /* One tooltip shared by every view on the page. */
  var tip = null, tipPinned = null;
  function tooltip() {
    if (!tip) {
      tip = el("div", { class: "pl-tip", role: "tooltip", id: "pl-tip" });
      tip.hidden = true;
      document.body.appendChild(tip);
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape") hideTip(true);
      });
      document.addEventListener("click", function (e) {
        if (tipPinned && !tipPinned.contains(e.target) && !tip.contains(e.target)) hideTip(true);
      });
    }
    return tip;
  }
  function hideTip(force) {
    if (!tip || (tipPinned && !force)) return;
    tip.hidden = true;
    if (force && tipPinned) tipPinned.classList.remove("pl-pinned");
    if (force) tipPinned = null;
  }

  function render(container, data, options) {
    options = options || {};
    var techniques = {};
    (data.techniques || []).forEach(function (t) { techniques[t.name] = t; });
    var spans = (data.spans || []).map(function (s) {
      var copy = Object.assign({}, s);
      copy.colour = /^#[0-9a-f]{6}$/i.test(s.colour || "") ? s.colour : "#6b7280";
      return copy;
    });
    var summary = data.summary || {};
    var state = { minScore: options.minScore || 0, hidden: {} };
    var key = function (s) { return s.technique || "Unclassified"; };
    var sentenceCuts = [];
    (summary.loaded_sentences || []).forEach(function (s) { sentenceCuts.push(s.start, s.end); });
    var segs = segments(data.text, spans, sentenceCuts);
    var shownText = displayText(data.text);

    container.textContent = "";
    container.classList.add("pl-view");

    /* ---- header ---- */
    var metaBits = [data.source, data.date, data.author].filter(Boolean);
    var head = el("header", { class: "pl-head" }, [
      el("h2", { class: "pl-title", text: data.title || "Untitled article" }),
      metaBits.length ? el("p", { class: "pl-meta", text: metaBits.join(" · ") }) : null,
      data.url && /^https?:\/\//i.test(data.url)
        ? el("a", { class: "pl-url", href: data.url, rel: "noopener noreferrer", target: "_blank", text: truncate(data.url, 80) })
        : null,
    ]);

    /* ---- toolbar: legend chips + confidence slider ---- */
    var legend = el("div", { class: "pl-legend", role: "group", "aria-label": "Techniques: press to show or hide" });
    var slider = el("input", {
      type: "range", min: "0", max: "1", step: "0.01", value: String(state.minScore),
      class: "pl-slider", id: "pl-slider-" + Math.random().toString(36).slice(2),
      "aria-label": "Minimum confidence",
    });
    var sliderValue = el("output", { class: "pl-slider-value", text: pct(state.minScore) });
    var shown = el("p", { class: "pl-shown", "aria-live": "polite" });
    var toolbar = el("div", { class: "pl-toolbar" }, [
      el("label", { class: "pl-slider-label", for: slider.id }, [
        el("span", { text: "Minimum confidence" }), slider, sliderValue,
      ]),
      shown,
    ]);

    var article = el("div", { class: "pl-text", "aria-label": "Article text with marked spans" });

    /* ---- side panel ---- */
    var stats = el("section", { class: "pl-card pl-stats", "aria-label": "Summary" });
    var chart = el("section", { class: "pl-card pl-chart-card" }, [el("h3", { text: "Techniques" })]);
    var chartBox = el("div", { class: "pl-chart" });
    chart.appendChild(chartBox);
    var sentences = el("section", { class: "pl-card" }, [el("h3", { text: "Most loaded sentences" })]);
    var sentList = el("ol", { class: "pl-sentences" });
    sentences.appendChild(sentList);

    var model = data.model || {};
    var modelLine = model.name
      ? el("p", { class: "pl-model", text: "Model " + model.name + (model.version ? " " + model.version : "") +
          (model.threshold !== undefined && model.threshold !== null ? " · threshold " + model.threshold : "") })
      : null;

    container.appendChild(head);
    container.appendChild(el("div", { class: "pl-layout" }, [
      el("div", { class: "pl-main-col" }, [legend, toolbar, el("div", { class: "pl-card pl-article" }, [article])]),
      el("aside", { class: "pl-side" }, [stats, chart, sentences, modelLine]),
    ]));

    function visible(s) {
      return s.score >= state.minScore - 1e-9 && !state.hidden[key(s)];
    }

    function tipFor(node, seg) {
      var t = tooltip();
      t.textContent = "";
      seg.cover.filter(function (i) { return visible(spans[i]); }).forEach(function (i) {
        var s = spans[i];
        var alts = (s.alternatives || []).slice(0, 3).map(function (a) {
          var info = techniques[a.technique];
          return (info ? info.title : a.technique) + " " + prob(a.score);
        });
        t.appendChild(el("div", { class: "pl-tip-item" }, [
          el("div", { class: "pl-tip-head" }, [
            el("span", { class: "pl-swatch", style: "background:" + s.colour }),
            el("strong", { class: "pl-tip-title", text: s.title }),
            el("span", { class: "pl-tip-score", text: prob(s.score) }),
          ]),
          el("div", { class: "pl-meter" }, [el("span", { style: "width:" + pct(s.score) + ";background:" + s.colour })]),
          el("p", { class: "pl-tip-def", text: s.definition }),
          el("p", { class: "pl-tip-quote", text: "“" + truncate(s.text, 140) + "”" }),
          alts.length ? el("p", { class: "pl-tip-alts", text: "Runner-ups: " + alts.join(", ") }) : null,
        ]));
      });
      var r = node.getBoundingClientRect();
      t.hidden = false;
      var w = t.offsetWidth;
      var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - w - 8));
      t.style.left = left + "px";
      t.style.top = (r.bottom + window.scrollY + 8) + "px";
    }

    function setActive(seg, on) {
      seg.cover.forEach(function (i) {
        (spanNodes[i] || []).forEach(function (n) { n.classList.toggle("pl-active", on); });
      });
    }

    var spanNodes = {};
    function drawText() {
      article.textContent = "";
      spanNodes = {};
      var frag = document.createDocumentFragment();
      var startsSpan = {};
      spans.forEach(function (s, i) { if (visible(s)) startsSpan[s.start] = startsSpan[s.start] || i + 1; });
      segs.forEach(function (seg) {
        var piece = shownText.slice(seg.start, seg.end);
        var cover = seg.cover.filter(function (i) { return visible(spans[i]); });
        if (!cover.length) {
          var plain = el("span", { "data-start": seg.start, text: piece });
          frag.appendChild(plain);
          return;
        }
        var shadows = cover.map(function (i, k) {
          return "inset 0 -" + (3 * (k + 1)) + "px 0 " + spans[i].colour;
        });
        var top = spans[cover[0]];
        var mark = el("mark", {
          class: "pl-seg" + (cover.length > 1 ? " pl-multi" : ""),
          "data-start": seg.start,
          "data-spans": cover.join(" "),
          "data-technique": key(top),
          style: "box-shadow:" + shadows.join(",") + ";background-color:" + rgba(top.colour, 0.13) +
            ";padding-bottom:" + (3 * cover.length - 1) + "px",
          text: piece,
        });
        var focusable = startsSpan[seg.start] && cover.indexOf(startsSpan[seg.start] - 1) >= 0;
        if (focusable) {
          mark.setAttribute("tabindex", "0");
          mark.setAttribute("aria-label", cover.map(function (i) {
            return spans[i].title + " " + prob(spans[i].score);
          }).join("; ") + ": " + piece);
          mark.setAttribute("aria-describedby", "pl-tip");
        }
        var realSeg = { cover: cover };
        cover.forEach(function (i) { (spanNodes[i] = spanNodes[i] || []).push(mark); });
        mark.addEventListener("mouseenter", function () { setActive(realSeg, true); if (!tipPinned) tipFor(mark, realSeg); });
        mark.addEventListener("mouseleave", function () { setActive(realSeg, false); hideTip(false); });
        mark.addEventListener("focus", function () { setActive(realSeg, true); if (!tipPinned) tipFor(mark, realSeg); });
        mark.addEventListener("blur", function () { setActive(realSeg, false); hideTip(false); });
        mark.addEventListener("click", function (e) {
          e.stopPropagation();
          if (tipPinned === mark) { hideTip(true); return; }
          hideTip(true);
          tipFor(mark, realSeg);
          tipPinned = mark;
          mark.classList.add("pl-pinned");
        });
        mark.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); mark.click(); }
          if (e.key === "ArrowRight" || e.key === "ArrowLeft") {  /* next / previous span */
            var all = Array.prototype.slice.call(article.querySelectorAll("mark[tabindex]"));
            var next = all[all.indexOf(mark) + (e.key === "ArrowRight" ? 1 : -1)];
            if (next) { e.preventDefault(); next.focus(); }
          }
        });
        frag.appendChild(mark);
      });
      article.appendChild(frag);
    }

    function drawLegend(counts) {
      legend.textContent = "";
      var names = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; });
      if (!names.length) {
        legend.appendChild(el("p", { class: "pl-empty", text: spans.length ? "No span reaches this confidence." : "No propaganda techniques found." }));
      }
      names.forEach(function (name) {
        var info = techniques[name];
        var s0 = spans.filter(function (s) { return key(s) === name; })[0];
        var off = !!state.hidden[name];
        var chip = el("button", {
          type: "button", class: "pl-chip" + (off ? " pl-off" : ""), "aria-pressed": off ? "false" : "true",
          "data-technique": name, title: info ? info.definition : "",
        }, [
          el("span", { class: "pl-swatch", style: "background:" + (s0 ? s0.colour : "#6b7280") }),
          el("span", { class: "pl-chip-label", text: info ? info.title : "Unclassified" }),
          el("span", { class: "pl-count", text: String(counts[name]) }),
        ]);
        chip.addEventListener("click", function () {
          state.hidden[name] = !state.hidden[name];
          update();
          var again = legend.querySelector('[data-technique="' + CSS.escape(name) + '"]');
          if (again) again.focus();
        });
        legend.appendChild(chip);
      });
      if (Object.keys(state.hidden).some(function (k) { return state.hidden[k]; })) {
        var all = el("button", { type: "button", class: "pl-chip pl-chip-reset", text: "Show all" });
        all.addEventListener("click", function () { state.hidden = {}; update(); });
        legend.appendChild(all);
      }
    }

    function drawStats(vis) {
      stats.textContent = "";
      var n = data.text.length, words = summary.n_words || 0;
      var density = n ? coveredChars(vis) / n : 0;
      stats.appendChild(el("div", { class: "pl-density" }, [
        el("span", { class: "pl-big", text: pct(density, 1) }),
        el("span", { class: "pl-big-label", text: "of the text is marked (propaganda density)" }),
      ]));
      stats.appendChild(el("div", { class: "pl-meter pl-meter-wide", role: "img", "aria-label": "Density " + pct(density, 1) }, [
        el("span", { style: "width:" + pct(Math.min(density, 1), 1) }),
      ]));
      stats.appendChild(el("dl", { class: "pl-facts" }, [
        el("div", null, [el("dt", { text: "Spans" }), el("dd", { class: "pl-n-spans", text: String(vis.length) })]),
        el("div", null, [el("dt", { text: "Per 1,000 words" }), el("dd", { text: words ? (1000 * vis.length / words).toFixed(1) : "0" })]),
        el("div", null, [el("dt", { text: "Words" }), el("dd", { text: words.toLocaleString("en") })]),
      ]));
    }

    function drawChart(counts) {
      chartBox.textContent = "";
      var names = Object.keys(counts).filter(function (k) { return !state.hidden[k]; })
        .sort(function (a, b) { return counts[b] - counts[a]; });
      if (!names.length) { chartBox.appendChild(el("p", { class: "pl-empty", text: "Nothing to chart." })); return; }
      var max = Math.max.apply(null, names.map(function (k) { return counts[k]; }));
      var rowH = 24, labelW = 178, barW = 100, W = labelW + barW + 30;
      var g = svg("svg", {
        viewBox: "0 0 " + W + " " + names.length * rowH, width: "100%", role: "img",
        "aria-label": "Spans per technique: " + names.map(function (k) { return (techniques[k] ? techniques[k].title : k) + " " + counts[k]; }).join(", "),
        class: "pl-bars",
      });
      names.forEach(function (name, i) {
        var s0 = spans.filter(function (s) { return key(s) === name; })[0];
        var y = i * rowH;
        var w = Math.max(2, barW * counts[name] / max);
        g.appendChild(svg("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "pl-bar-label", text: truncate(techniques[name] ? techniques[name].title : "Unclassified", 25) }));
        g.appendChild(svg("rect", { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 3, fill: s0 ? s0.colour : "#6b7280" }));
        g.appendChild(svg("text", { x: labelW + w + 6, y: y + 16, class: "pl-bar-value", text: String(counts[name]) }));
      });
      chartBox.appendChild(g);
    }

    function drawSentences() {
      sentList.textContent = "";
      var list = summary.loaded_sentences || [];
      if (!list.length) { sentList.appendChild(el("li", { class: "pl-empty", text: "No marked sentences." })); return; }
      list.forEach(function (s) {
        var b = el("button", { type: "button", class: "pl-sentence" }, [
          el("span", { class: "pl-sentence-text", text: truncate(s.text, 220) }),
          el("span", { class: "pl-sentence-meta", text: s.n_spans + (s.n_spans === 1 ? " span · " : " spans · ") +
            s.techniques.map(function (t) { return techniques[t] ? techniques[t].title : t; }).join(", ") }),
        ]);
        b.addEventListener("click", function () {
          var target = article.querySelector('[data-start="' + s.start + '"]');
          if (!target) return;
          target.scrollIntoView({ behavior: "smooth", block: "center" });
          var nodes = Array.prototype.filter.call(article.children, function (n) {
            var st = +n.getAttribute("data-start");
            return st >= s.start && st < s.end;
          });
          nodes.forEach(function (n) { n.classList.add("pl-flash"); });
          setTimeout(function () { nodes.forEach(function (n) { n.classList.remove("pl-flash"); }); }, 1600);
          var f = nodes.filter(function (n) { return n.hasAttribute("tabindex"); })[0];
          if (f) f.focus({ preventScroll: true });
        });
        sentList.appendChild(el("li", null, [b]));
      });
    }

    function update() {
      hideTip(true);
      var aboveCut = spans.filter(function (s) { return s.score >= state.minScore - 1e-9; });
      var counts = {};
      aboveCut.forEach(function (s) { counts[key(s)] = (counts[key(s)] || 0) + 1; });
      var vis = spans.filter(visible);
      drawLegend(counts);
      drawText();
      drawStats(vis);
      drawChart(counts);
      shown.textContent = "Showing " + vis.length + " of " + spans.length + (spans.length === 1 ? " span" : " spans") +
        " · " + pct(data.text.length ? coveredChars(vis) / data.text.length : 0, 1) + " of the text";
      shown.setAttribute("data-visible", String(vis.length));
      sliderValue.textContent = pct(state.minScore);
    }

    slider.addEventListener("input", function () {
      state.minScore = parseFloat(slider.value) || 0;
      update();
    });

    drawSentences();
    update();
    return {
      update: update,
      setMinScore: function (x) { state.minScore = x; slider.value = String(x); update(); },
      visibleCount: function () { return spans.filter(visible).length; },
    };
  }

  global.ProplensRender = { render: render, segments: segments, coveredChars: coveredChars, el: el };
})(typeof window !== "undefined" ? window : this);
