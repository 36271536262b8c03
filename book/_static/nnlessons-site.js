/* nnlessons course website: small behaviours on top of sphinx-book-theme (no external URL, no library).
 *
 * 1. Every figure of a notebook output is a link to its own image: a click (or Enter) opens it full size
 *    in a dialog that scrolls; Escape or the Close button closes it and gives the focus back. Without
 *    <dialog> support the link simply opens the image.
 * 2. Print: a display equation wider than the printed column is shrunk to fit (CSS zoom), since MathJax
 *    cannot break it; code wraps by CSS (nnlessons-site.css).
 * 2b. A display equation, table or code block too wide for its column scrolls inside its own box
 *    (nnlessons-site.css); that box, and only that one, is a Tab stop so that a keyboard can scroll it
 *    (formulas are not Tab stops otherwise: the MathJax menu is off). Re-checked when the window is resized.
 * 3. Search results: the summary under each hit shows formulas without their LaTeX delimiters and commands
 *    (Sphinx takes it from the page text, where a formula is still `\(\sigma(z)\)` before MathJax runs).
 */
(function () {
  "use strict";

  /* ---- 1. Figures open full size ---- */
  function openFigure(link, img) {
    var dialog = document.createElement("dialog");
    dialog.className = "nnl-figure-dialog";
    dialog.setAttribute("aria-label", img.getAttribute("alt") || "Figure");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.getAttribute("alt") || "";
    dialog.appendChild(close);
    dialog.appendChild(big);
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); link.focus(); });
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();
  }

  /* On a phone, a figure shrunk to the column would have 5-7 px text: keep 3/4 of its width instead (its
   * link scrolls sideways, see the CSS). Its width is the one MyST-NB writes in the style (1x of a 2x PNG). */
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 575.98px)") : null;
  var MIN_SCALE = 0.75;
  function keepReadableOnPhones(img) {
    var width = parseFloat(img.style.width) || parseFloat(img.getAttribute("width"));
    img.style.minWidth = PHONE && PHONE.matches && width ? Math.round(MIN_SCALE * width) + "px" : "";
  }
  /* An explorer's frame gets a box of its own that scrolls (a Tab stop, so a keyboard can scroll it). */
  function explorerFrames() {
    document.querySelectorAll(".bd-article .nnl-explorer img.nnl-explorer-frame").forEach(function (img) {
      if (!img.parentNode.classList.contains("nnl-frame-box")) {
        var box = document.createElement("div");
        box.className = "nnl-frame-box";
        img.parentNode.insertBefore(box, img);
        box.appendChild(img);
      }
      keepReadableOnPhones(img);
      var box = img.parentNode;
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Figure; scrolls sideways");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function linkFigures() {
    var images = document.querySelectorAll(".bd-article .cell_output img, .bd-article figure img");
    images.forEach(function (img) {
      if (img.closest(".nnl-explorer, button")) return;
      var src = img.getAttribute("src");
      if (!src) return;
      var link = img.closest("a");
      if (link && !link.classList.contains("image-reference")) return;  // a link elsewhere: leave it
      if (!link) {  // Sphinx links a figure with :target: itself (a.image-reference); others get a link
        link = document.createElement("a");
        link.href = src;
        img.parentNode.insertBefore(link, img);
        link.appendChild(img);
      }
      link.classList.add("nnl-figure-link");
      keepReadableOnPhones(img);
      link.title = "Open the figure full size";
      link.addEventListener("click", function (event) {
        if (typeof HTMLDialogElement === "undefined" || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        openFigure(link, img);
      });
    });
  }

  /* ---- 2. Wide equations fit the printed page ----
   * The browser lays the page out at the paper's width only after `beforeprint`, so the room an equation
   * will have is estimated: PRINT_WIDTH is the text width of an A4 page with 1 cm margins (718 CSS px) less
   * a little padding, minus what the equation's own box (an admonition, a list) takes from the article. */
  var PRINT_WIDTH = 700;
  function fitEquationsForPrint() {
    var article = document.querySelector(".bd-article");
    if (!article) return;
    var articleWidth = article.getBoundingClientRect().width;
    document.querySelectorAll('.bd-article mjx-container[display="true"]').forEach(function (el) {
      el.removeAttribute("data-nnl-print-scale");
      el.style.removeProperty("--nnl-print-scale");
      var math = el.querySelector("mjx-math");
      if (!math) return;
      var natural = math.getBoundingClientRect().width;
      var room = PRINT_WIDTH - Math.max(0, articleWidth - el.getBoundingClientRect().width);
      if (room > 0 && natural > room) {
        el.style.setProperty("--nnl-print-scale", (Math.floor((100 * room) / natural) / 100).toString());
        el.setAttribute("data-nnl-print-scale", "");
      }
    });
  }
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onChange = function (event) { if (event.matches) fitEquationsForPrint(); };
    if (printing.addEventListener) printing.addEventListener("change", onChange);
    else if (printing.addListener) printing.addListener(onChange);
  }
  window.addEventListener("beforeprint", fitEquationsForPrint);
  window.nnlFitEquationsForPrint = fitEquationsForPrint;

  /* ---- 2b. A box that scrolls sideways can be scrolled from the keyboard ---- */
  var SCROLL_BOXES = '.bd-article mjx-container[display="true"], .bd-article table, .bd-article pre';
  /* (A figure's link scrolls on a phone too; being a link, it is a Tab stop already.) */
  function markScrollingBoxes() {
    document.querySelectorAll(SCROLL_BOXES).forEach(function (el) {
      if (el.scrollWidth > el.clientWidth) {  // as axe's scrollable-region-focusable counts it
        if (!el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.setAttribute("data-nnl-scrolls", "");
        }
      } else if (el.hasAttribute("data-nnl-scrolls")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-nnl-scrolls");
      }
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    document.querySelectorAll("a.nnl-figure-link img").forEach(keepReadableOnPhones);
    explorerFrames();
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollingBoxes, 200);
  });
  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(markScrollingBoxes);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollingBoxes);
  });

  /* ---- 3. Search summaries without LaTeX source ---- */
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ",
    tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
    Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω", partial: "∂", nabla: "∇",
    infty: "∞", sum: "∑", prod: "∏", int: "∫", cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥",
    geq: "≥", ne: "≠", neq: "≠", approx: "≈", to: "→", rightarrow: "→", mapsto: "↦", in: "∈",
    ldots: "…", cdots: "⋯", dots: "…", top: "ᵀ", mid: "|", pm: "±", log: "log", ln: "ln", exp: "exp",
    max: "max", min: "min", tanh: "tanh", sin: "sin", cos: "cos"
  };
  function plainMath(tex) {
    return tex
      .replace(/\\(?:mathrm|mathbf|mathit|mathcal|mathbb|text|textbf|operatorname|boldsymbol)\s*/g, "")
      .replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "")
      .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\([a-zA-Z]+)/g, function (m, name) { return SYMBOLS[name] !== undefined ? SYMBOLS[name] : name; })
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\\\/g, "; ")
      .replace(/&/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }
  function plainText(text) {
    return text
      .replace(/\\\[([\s\S]*?)\\\]/g, function (m, tex) { return " " + plainMath(tex) + " "; })
      .replace(/\\\(([\s\S]*?)\\\)/g, function (m, tex) { return plainMath(tex); })
      .replace(/\$\$([\s\S]*?)\$\$/g, function (m, tex) { return " " + plainMath(tex) + " "; });
  }
  window.nnlPlainSearchText = plainText;

  document.addEventListener("DOMContentLoaded", function () {
    linkFigures();
    explorerFrames();
    if (typeof Search !== "undefined" && Search.htmlToText && !Search.nnlPlain) {
      var original = Search.htmlToText;
      Search.htmlToText = function (html, anchor) { return plainText(original(html, anchor)); };
      Search.nnlPlain = true;
    }
  });
})();
