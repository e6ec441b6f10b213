// Typeset the math that pymdownx.arithmatex (generic mode) leaves as \( \) and \[ \] in span/div.arithmatex.
// Material's instant navigation is off, so one pass per page load is enough; document$ is used when present.
(function () {
  function typeset() {
    for (const element of document.querySelectorAll(".arithmatex")) {
      if (element.dataset.typeset) continue;
      const source = element.textContent.trim();
      const display = source.startsWith("\\[");
      const tex = source.replace(/^\\[\[(]/, "").replace(/\\[\])]$/, "");
      katex.render(tex, element, { displayMode: display, throwOnError: false });
      element.dataset.typeset = "1";
    }
    // the notebooks' markdown cells (rendered by mkdocs-jupyter) keep $...$ as text
    if (window.renderMathInElement) {
      for (const cell of document.querySelectorAll(".jp-RenderedMarkdown")) {
        renderMathInElement(cell, { delimiters: [{ left: "$$", right: "$$", display: true },
                                                  { left: "$", right: "$", display: false }], throwOnError: false });
      }
    }
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(typeset);
  else document.addEventListener("DOMContentLoaded", typeset);
})();
