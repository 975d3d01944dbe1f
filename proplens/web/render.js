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

  /* Confidence bands (proplens.summary.BANDS, sent with every analysis), highest first. */
  var DEFAULT_BANDS = [
    { name: "likely", min: 0.5, label: "Likely", description: "50% or more" },
    { name: "possible", min: 0.25, label: "Possible", description: "25-50%" },
    { name: "weak", min: 0, label: "Weak", description: "under 25%" },
  ];
  var BAND_STYLE = { likely: { line: 1, tint: 0.16 }, possible: { line: 0.7, tint: 0.07 }, weak: { line: 0.4, tint: 0 } };
  function bandOf(bands, score) {
    for (var i = 0; i < bands.length; i++) if (score >= bands[i].min - 1e-9) return bands[i];
    return bands[bands.length - 1];
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
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
        if (e.key === "Escape") {
          var back = tip.contains(document.activeElement) ? tipPinned : null;
          hideTip(true);
          if (back) back.focus();  /* keyboard users return to the mark they were correcting */
        }
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
    var bands = (data.bands && data.bands.length) ? data.bands : DEFAULT_BANDS;
    var defaultMin = typeof data.default_min_score === "number" ? data.default_min_score : 0;
    var state = {
      minScore: typeof options.minScore === "number" ? options.minScore : defaultMin,
      hidden: {},
      verdicts: {},  /* key of a mark -> its latest correction */
      log: [],       /* every correction, in order */
    };
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
    var showAll = el("button", { type: "button", class: "pl-linkbtn pl-show-weak" });
    showAll.addEventListener("click", function () {
      setMin(state.minScore > 0 ? 0 : defaultMin);
    });
    var toolbar = el("div", { class: "pl-toolbar" }, [
      el("label", { class: "pl-slider-label", for: slider.id }, [
        el("span", { text: "Minimum confidence" }), slider, sliderValue,
      ]),
      el("div", { class: "pl-shown-wrap" }, [shown, showAll]),
    ]);
    var bandKey = el("div", { class: "pl-bands", role: "note", "aria-label": "How marks are drawn" },
      [el("span", { class: "pl-bands-head", text: "Marks by confidence:" })].concat(bands.map(function (b) {
        return el("span", { class: "pl-band-key pl-band-" + b.name, title: b.description }, [
          el("span", { class: "pl-band-sample pl-band-" + b.name, text: b.label }),
          el("span", { class: "pl-band-range", text: bandRange(b) }),
        ]);
      })));
    function bandRange(b) {
      var i = bands.indexOf(b);
      if (i === 0) return pct(b.min) + "+";
      return b.min > 0 ? pct(b.min) + "–" + pct(bands[i - 1].min) : "under " + pct(bands[i - 1].min);
    }

    /* ---- corrections: the reader confirms, rejects, relabels or adds marks ---- */
    var corrBox = el("section", { class: "pl-card pl-corrections", "aria-label": "Your corrections" }, [
      el("h3", { text: "Your corrections" }),
    ]);
    var corrList = el("ul", { class: "pl-corr-list" });
    var corrNote = el("p", { class: "pl-corr-note", "aria-live": "polite" });
    var corrDownload = el("button", { type: "button", class: "pl-btn pl-btn-ghost pl-corr-download", text: "Download corrections" });
    corrBox.appendChild(el("p", { class: "pl-hint", text: "Click a mark to say it is right, wrong or another technique; select text in the article to add a mark the model missed." }));
    corrBox.appendChild(corrList);
    corrBox.appendChild(corrNote);
    corrBox.appendChild(corrDownload);
    corrDownload.addEventListener("click", function () {
      var stem = (data.title || "article").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
      download("proplens-corrections-" + (stem || "article") + ".json", "application/json",
        JSON.stringify(correctionsFile(), null, 2));
      corrNote.textContent = "Saved as a file; `proplens corrections export FILE` turns it into training labels.";
    });

    var article = el("div", { class: "pl-text", "aria-label": "Article text with marked spans" });

    /* ---- side panel ---- */
    var stats = el("section", { class: "pl-card pl-stats", "aria-label": "Summary" });
    var guide = data.reading_guide
      ? el("details", { class: "pl-card pl-guide", open: "" }, [
          el("summary", { text: "How to read this" }),
          el("p", { text: data.reading_guide }),
        ])
      : null;
    var chart = el("section", { class: "pl-card pl-chart-card" }, [el("h3", { text: "Techniques, share of the marks shown" })]);
    var chartBox = el("div", { class: "pl-chart" });
    chart.appendChild(chartBox);
    var sentences = el("section", { class: "pl-card" }, [el("h3", { text: "Most loaded sentences" })]);
    var sentList = el("ol", { class: "pl-sentences" });
    sentences.appendChild(sentList);

    var model = data.model || {};
    var modelLine = model.name
      ? el("p", { class: "pl-model", text: (data.generated ? "Analysed " + data.generated + " · " : "") +
          "model " + model.name + (model.version ? " " + model.version : "") +
          (model.threshold !== undefined && model.threshold !== null ? " · threshold " + model.threshold : "") })
      : null;

    container.appendChild(head);
    container.appendChild(el("div", { class: "pl-layout" }, [
      el("div", { class: "pl-main-col" }, [legend, bandKey, toolbar, el("div", { class: "pl-card pl-article" }, [article])]),
      el("aside", { class: "pl-side" }, [stats, guide, corrBox, chart, sentences, modelLine]),
    ]));

    function visible(s) {
      return (s.added || s.score >= state.minScore - 1e-9) && !state.hidden[key(s)];
    }

    function markKey(s) { return s.start + ":" + s.end + ":" + (s.was || s.technique || ""); }

    /* A mark the reader rejected stays drawn (struck through) but is no longer a mark shown:
       every count on the page (toolbar, summary, legend, chart) leaves it out. */
    function rejected(s) {
      var v = state.verdicts[markKey(s)];
      return !!v && v.action === "reject";
    }
    function counted(s) { return visible(s) && !rejected(s); }

    function correct(s, action, technique) {
      var entry = {
        action: action, start: s.start, end: s.end,
        technique: action === "reject" ? null : (technique || s.technique),
        was: s.added ? null : (s.was || s.technique), score: s.added ? null : s.score,
        text: data.text.slice(s.start, s.end),
      };
      if (s.added && action === "reject") { entry.action = "remove"; entry.technique = s.technique; }
      state.verdicts[markKey(s)] = entry;
      state.log.push(entry);
      if (action === "relabel") applyTechnique(s, technique);
      if (entry.action === "remove") spans.splice(spans.indexOf(s), 1);
      if (options.onCorrection) {
        corrNote.textContent = "Saving…";
        Promise.resolve(options.onCorrection(entry, correctionsArticle())).then(function (msg) {
          corrNote.textContent = msg || "";
        }, function (err) {
          corrNote.textContent = "Not saved on the server (" + err.message + "); download the corrections instead.";
        });
      }
      segs = segments(data.text, spans, sentenceCuts);
      update();
    }

    function applyTechnique(s, technique) {
      var info = techniques[technique] || {};
      if (!s.was) s.was = s.technique;
      s.technique = technique;
      s.title = info.title || technique;
      s.definition = info.definition || "";
      s.colour = /^#[0-9a-f]{6}$/i.test(info.colour || "") ? info.colour : "#6b7280";
    }

    function addMark(start, end, technique) {
      var info = techniques[technique] || {};
      var s = { start: start, end: end, technique: technique, score: 1, added: true,
        text: data.text.slice(start, end), title: info.title || technique, definition: info.definition || "",
        colour: /^#[0-9a-f]{6}$/i.test(info.colour || "") ? info.colour : "#6b7280", alternatives: [] };
      spans.push(s);
      spans.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
      correct(s, "add", technique);
    }

    function correctionsArticle() {
      return {
        text: data.text, title: data.title || null, source: data.source || null, url: data.url || null,
        date: data.date || null, model: { name: model.name || null, version: model.version || null },
        spans: (data.spans || []).map(function (s) {
          return { start: s.start, end: s.end, technique: s.technique, score: s.score };
        }),
      };
    }

    function correctionsFile() {
      var art = correctionsArticle();
      art.corrections = state.log.slice();
      return { proplens_corrections: 1, articles: [art] };
    }

    function techniqueSelect(label, current) {
      var sel = el("select", { class: "pl-corr-select", "aria-label": label }, [
        el("option", { value: "", text: label }),
      ]);
      (data.techniques || []).forEach(function (t) {
        if (t.name !== current) sel.appendChild(el("option", { value: t.name, text: t.title }));
      });
      return sel;
    }

    function verdictText(v) {
      return { confirm: "You confirmed this mark.", reject: "You marked this as wrong.",
        relabel: "You changed the technique.", add: "You added this mark.", remove: "" }[v.action] || "";
    }

    function drawCorrections() {
      corrList.textContent = "";
      var keys = Object.keys(state.verdicts).filter(function (k) { return state.verdicts[k].action !== "remove"; });
      corrBox.setAttribute("data-count", String(keys.length));
      if (!keys.length) { corrList.appendChild(el("li", { class: "pl-empty", text: "None yet." })); }
      keys.forEach(function (k) {
        var v = state.verdicts[k];
        var info = techniques[v.technique || v.was] || {};
        var what = { confirm: "Right: ", reject: "Wrong: ", relabel: "Now " + (info.title || v.technique) + ": ", add: "Added " + (info.title || v.technique) + ": " }[v.action];
        corrList.appendChild(el("li", { class: "pl-corr-item pl-corr-" + v.action, "data-action": v.action }, [
          el("span", { class: "pl-corr-what", text: what }),
          el("span", { class: "pl-corr-text", text: "“" + truncate(v.text, 60) + "”" }),
        ]));
      });
      corrDownload.disabled = !keys.length;
    }

    /* Selecting text in the article offers to add a mark there. */
    var adder = el("div", { class: "pl-adder", role: "dialog", "aria-label": "Add a missed mark" });
    adder.hidden = true;
    var adderSelect = techniqueSelect("Add as technique…", null);
    adder.appendChild(adderSelect);
    var adderCancel = el("button", { type: "button", class: "pl-linkbtn", text: "Cancel" });
    adder.appendChild(adderCancel);
    document.body.appendChild(adder);
    var pending = null;
    adderCancel.addEventListener("click", function () { adder.hidden = true; pending = null; });
    adder.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { adder.hidden = true; pending = null; }
    });
    adderSelect.addEventListener("change", function () {
      if (pending && adderSelect.value) addMark(pending.start, pending.end, adderSelect.value);
      adderSelect.value = "";
      adder.hidden = true;
      pending = null;
    });
    function offsetOf(node, offset) {
      var host = node.nodeType === 3 ? node.parentNode : node;
      while (host && host !== article && !host.hasAttribute("data-start")) host = host.parentNode;
      if (!host || host === article) return null;
      if (node.nodeType !== 3) offset = offset ? host.textContent.length : 0;
      return +host.getAttribute("data-start") + offset;
    }
    article.addEventListener("mouseup", function () {
      setTimeout(function () {
        var sel = window.getSelection();
        if (!sel || sel.isCollapsed || !sel.rangeCount) { adder.hidden = true; pending = null; return; }
        var range = sel.getRangeAt(0);
        if (!article.contains(range.commonAncestorContainer)) return;
        var a = offsetOf(range.startContainer, range.startOffset);
        var b = offsetOf(range.endContainer, range.endOffset);
        if (a === null || b === null) return;
        while (a < b && /\s/.test(data.text[a])) a++;
        while (b > a && /\s/.test(data.text[b - 1])) b--;
        if (b <= a) return;
        pending = { start: a, end: b };
        var r = range.getBoundingClientRect();
        adder.hidden = false;
        adder.style.left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - adder.offsetWidth - 8)) + "px";
        adder.style.top = (r.bottom + window.scrollY + 8) + "px";
        adderSelect.focus();
      }, 0);
    });

    function correctionButtons(s, node) {
      var right = el("button", { type: "button", class: "pl-corr-btn pl-corr-right", text: "✓ Right" });
      var wrong = el("button", { type: "button", class: "pl-corr-btn pl-corr-wrong", text: s.added ? "✗ Remove" : "✗ Wrong" });
      var other = techniqueSelect("Another technique…", s.technique);
      right.addEventListener("click", function () { hideTip(true); correct(s, "confirm"); });
      wrong.addEventListener("click", function () { hideTip(true); correct(s, "reject"); });
      other.addEventListener("change", function () {
        if (other.value) { var t = other.value; hideTip(true); correct(s, "relabel", t); }
      });
      return el("div", { class: "pl-corr-actions", role: "group", "aria-label": "Correct this mark" },
        s.added ? [wrong] : [right, wrong, other]);
    }

    function tipFor(node, seg, pinned) {
      var t = tooltip();
      t.textContent = "";
      seg.cover.filter(function (i) { return visible(spans[i]); }).forEach(function (i) {
        var s = spans[i];
        var alts = (s.alternatives || []).slice(0, 3).map(function (a) {
          var info = techniques[a.technique];
          return (info ? info.title : a.technique) + " " + prob(a.score);
        });
        var b = bandOf(bands, s.score);
        var verdict = state.verdicts[markKey(s)];
        var item = el("div", { class: "pl-tip-item" }, [
          el("div", { class: "pl-tip-head" }, [
            el("span", { class: "pl-swatch", style: "background:" + s.colour }),
            el("strong", { class: "pl-tip-title", text: s.title }),
            el("span", { class: "pl-tip-score", text: s.added ? "yours" : b.label + " · " + prob(s.score) }),
          ]),
          s.added ? null : el("div", { class: "pl-meter" }, [el("span", { style: "width:" + pct(s.score) + ";background:" + s.colour })]),
          s.added ? null : el("p", { class: "pl-tip-band", text: b.label + ": " + b.description + "." }),
          el("p", { class: "pl-tip-def", text: s.definition }),
          el("p", { class: "pl-tip-quote", text: "“" + truncate(s.text, 140) + "”" }),
          alts.length ? el("p", { class: "pl-tip-alts", text: "Runner-ups: " + alts.join(", ") }) : null,
          verdict ? el("p", { class: "pl-tip-verdict", text: verdictText(verdict) }) : null,
        ]);
        if (pinned) item.appendChild(correctionButtons(s, node));
        t.appendChild(item);
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
          var s = spans[i], st = BAND_STYLE[s.added ? "likely" : bandOf(bands, s.score).name] || BAND_STYLE.likely;
          var v = state.verdicts[markKey(s)];
          var colour = v && v.action === "reject" ? "rgba(107,114,128,.55)" : rgba(s.colour, st.line);
          return "inset 0 -" + (3 * (k + 1)) + "px 0 " + colour;
        });
        var top = spans[cover[0]];
        var topBand = top.added ? "likely" : bandOf(bands, top.score).name;
        var topVerdict = state.verdicts[markKey(top)];
        var tint = topVerdict && topVerdict.action === "reject" ? 0 : (BAND_STYLE[topBand] || BAND_STYLE.likely).tint;
        var mark = el("mark", {
          class: "pl-seg pl-band-" + topBand + (cover.length > 1 ? " pl-multi" : "") +
            (topVerdict ? " pl-verdict-" + topVerdict.action : "") + (top.added ? " pl-added" : ""),
          "data-start": seg.start,
          "data-spans": cover.join(" "),
          "data-technique": key(top),
          "data-band": topBand,
          style: "box-shadow:" + shadows.join(",") + ";background-color:" + rgba(top.colour, tint) +
            ";padding-bottom:" + (3 * cover.length - 1) + "px",
          text: piece,
        });
        var focusable = startsSpan[seg.start] && cover.indexOf(startsSpan[seg.start] - 1) >= 0;
        if (focusable) {
          mark.setAttribute("tabindex", "0");
          mark.setAttribute("aria-label", cover.map(function (i) {
            var s = spans[i];
            return s.title + (s.added ? " (your mark)" : " " + bandOf(bands, s.score).label.toLowerCase() + " " + prob(s.score));
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
          tipFor(mark, realSeg, true);
          tipPinned = mark;
          mark.classList.add("pl-pinned");
          /* Opened from the keyboard (Enter/Space): move into the card's correction buttons. */
          if (e.detail === 0) {
            var first = tooltip().querySelector(".pl-corr-btn");
            if (first) first.focus();
          }
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
        var none = !spans.length ? "No propaganda techniques found."
          : spans.some(rejected) ? "No mark reaches this confidence, leaving out those you rejected." : "No span reaches this confidence.";
        legend.appendChild(el("p", { class: "pl-empty", text: none }));
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

    function drawStats(marks) {
      stats.textContent = "";
      var words = summary.n_words || 0;
      var n = marks.length;
      var yours = marks.filter(function (s) { return s.added; }).length;
      var likely = marks.filter(function (s) { return !s.added && bandOf(bands, s.score).name === bands[0].name; }).length;
      stats.appendChild(el("div", { class: "pl-estimate" }, [
        el("span", { class: "pl-big pl-n-spans", text: String(n) }),
        el("span", { class: "pl-big-label", text: (n === 1 ? "mark" : "marks") + " shown" +
          (yours ? " (" + yours + " yours): the model's estimate and yours" : ": the model's estimate") + ", not a finding" }),
      ]));
      stats.appendChild(el("dl", { class: "pl-facts" }, [
        el("div", null, [el("dt", { text: "Per 1,000 words" }), el("dd", { class: "pl-rate", text: words ? (1000 * n / words).toFixed(1) : "0" })]),
        el("div", null, [el("dt", { text: bands[0].label }), el("dd", { text: String(likely) })]),
        el("div", null, [el("dt", { text: "Words" }), el("dd", { text: words.toLocaleString("en") })]),
      ]));
      var q = model.quality;
      if (q && typeof q.span_precision === "number") {
        stats.appendChild(el("p", { class: "pl-quality" }, [
          el("strong", { text: "How often this model is right: " }),
          "precision " + pct(q.span_precision) + ", recall " + pct(q.span_recall) +
            (typeof q.technique_accuracy === "number" ? ", right technique " + pct(q.technique_accuracy) : "") +
            " (" + (q.measured_on || "held-out articles") + ").",
        ]));
      }
    }

    function drawChart(counts) {
      chartBox.textContent = "";
      var names = Object.keys(counts).filter(function (k) { return !state.hidden[k]; })
        .sort(function (a, b) { return counts[b] - counts[a]; });
      if (!names.length) { chartBox.appendChild(el("p", { class: "pl-empty", text: "Nothing to chart." })); return; }
      /* Bars are shares of the marks shown, so one mark each is not drawn as "full". */
      var total = names.reduce(function (sum, k) { return sum + counts[k]; }, 0) || 1;
      var rowH = 24, labelW = 178, barW = 100, W = labelW + barW + 62;
      var g = svg("svg", {
        viewBox: "0 0 " + W + " " + names.length * rowH, width: "100%", role: "img",
        "aria-label": "Marks per technique, with their share of the marks shown: " + names.map(function (k) { return (techniques[k] ? techniques[k].title : k) + " " + counts[k] + " (" + pct(counts[k] / total) + ")"; }).join(", "),
        class: "pl-bars",
      });
      names.forEach(function (name, i) {
        var s0 = spans.filter(function (s) { return key(s) === name; })[0];
        var y = i * rowH;
        var w = Math.max(2, barW * counts[name] / total);
        g.appendChild(svg("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "pl-bar-label", text: truncate(techniques[name] ? techniques[name].title : "Unclassified", 25) }));
        g.appendChild(svg("rect", { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 3, fill: s0 ? s0.colour : "#6b7280" }));
        g.appendChild(svg("text", { x: labelW + w + 6, y: y + 16, class: "pl-bar-value", text: counts[name] + " · " + pct(counts[name] / total) }));
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
      var aboveCut = spans.filter(function (s) { return s.score >= state.minScore - 1e-9 && !rejected(s); });
      var counts = {};
      aboveCut.forEach(function (s) { counts[key(s)] = (counts[key(s)] || 0) + 1; });
      var marks = spans.filter(counted);
      var nRejected = spans.filter(rejected).length;
      var weaker = spans.filter(function (s) { return !s.added && !rejected(s) && s.score < state.minScore - 1e-9; }).length;
      drawLegend(counts);
      drawText();
      drawStats(marks);
      drawChart(counts);
      drawCorrections();
      shown.textContent = "Showing " + marks.length + " of " + spans.length + (spans.length === 1 ? " mark" : " marks") +
        (weaker ? " · " + weaker + " weaker " + (weaker === 1 ? "mark" : "marks") + " (under " + pct(state.minScore) + ") hidden" : "") +
        (nRejected ? " · " + nRejected + " rejected by you" : "");
      shown.setAttribute("data-visible", String(marks.length));
      shown.setAttribute("data-hidden", String(weaker));
      shown.setAttribute("data-rejected", String(nRejected));
      showAll.hidden = !(weaker || state.minScore === 0 && defaultMin > 0);
      showAll.textContent = weaker ? "Show all" : "Hide weak marks";
      sliderValue.textContent = pct(state.minScore);
    }

    function setMin(x) { state.minScore = x; slider.value = String(x); update(); }

    slider.addEventListener("input", function () {
      state.minScore = parseFloat(slider.value) || 0;
      update();
    });

    drawSentences();
    update();
    return {
      update: update,
      setMinScore: setMin,
      visibleCount: function () { return spans.filter(counted).length; },
      corrections: correctionsFile,
    };
  }

  global.ProplensRender = { render: render, segments: segments, coveredChars: coveredChars, el: el };
})(typeof window !== "undefined" ? window : this);
