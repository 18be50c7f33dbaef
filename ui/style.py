"""The page's CSS and the small scripts of its HTML panels (Gradio runs ``js_on_load`` with
``element``, ``trigger`` and ``watch`` in scope)."""

from __future__ import annotations

PAGE_CSS = """
.gradio-container { max-width: 1400px !important; }
#library-table .library { max-height: 420px; overflow: auto; font-size: 0.82em; }
#library-table table { border-collapse: collapse; width: 100%; }
#library-table th, #library-table td { border-bottom: 1px solid var(--border-color-primary); padding: 3px 5px;
  text-align: left; vertical-align: top; }
#library-table td.t .f { color: var(--body-text-color-subdued); font-size: 0.9em; word-break: break-all; }
#library-table .library-root { color: var(--body-text-color-subdued); font-size: 0.9em; word-break: break-all; }
#library-report ul { margin: 4px 0; padding-left: 18px; }
#library-report li.bad { color: #a40000; }
#chat sup.cite { color: var(--color-accent); font-weight: 600; font-size: 0.75em; margin-left: 1px; }
#notice .notice { border: 1px solid #e0a800; background: #fff8e1; color: #5c4500; border-radius: 6px;
  padding: 8px 12px; margin: 4px 0; }
#intro p { margin: 0; color: var(--body-text-color-subdued); }
"""

SOURCES_CSS = """
.sources.empty { color: var(--body-text-color-subdued); padding: 12px; }
.sources-head { font-weight: 600; margin: 4px 0 8px; }
.sources-hint { color: var(--body-text-color-subdued); font-size: 0.85em; margin-top: 6px; }
.not-found { border: 1px solid #d32f2f; background: #fdecea; color: #7f1d1d; border-radius: 6px;
  padding: 8px 12px; margin-bottom: 10px; font-weight: 600; }
.source-list { list-style: none; padding: 0; margin: 0; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin-bottom: 8px; cursor: pointer; background: var(--background-fill-primary); }
.source:hover, .source:focus { border-color: var(--color-accent); outline: none;
  box-shadow: 0 0 0 2px var(--color-accent-soft); }
.source-title { font-weight: 600; }
.source-title .n { color: var(--color-accent); }
.source-where { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 4px; }
.source-text { font-size: 0.92em; line-height: 1.6; }
mark { background: #fff1a8; padding: 0 1px; }
mark strong { color: #b00020; }
"""

READER_CSS = """
.reader.empty { color: var(--body-text-color-subdued); padding: 12px; }
.reader-title { font-weight: 700; font-size: 1.05em; }
.reader-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.reader-body { position: relative; max-height: 60vh; overflow-y: auto; padding-right: 6px;
  border-top: 1px solid var(--border-color-primary); }
.para { display: grid; grid-template-columns: 3.2em 4.6em 1fr; gap: 4px; padding: 4px 2px;
  border-radius: 4px; line-height: 1.6; }
.para .pn { font-weight: 600; color: var(--body-text-color-subdued); }
.para .pl { font-size: 0.8em; color: var(--body-text-color-subdued); padding-top: 2px; }
.para.heading .pt { font-weight: 700; }
.para.hl { background: #fffbe6; outline: 2px solid #f0b400; }
.para.hl .pn { color: #b07800; }
mark { background: #ffe066; padding: 0 1px; }
mark strong { color: #b00020; }
"""

# Cards carry data-index; a click or Enter on one sends the Python "click" event with it.
SOURCES_JS = """
const open = (target) => {
  const card = target.closest('.source');
  if (card) trigger('click', {index: Number(card.dataset.index)});
};
element.addEventListener('click', (e) => open(e.target));
element.addEventListener('keydown', (e) => {
  if ((e.key === 'Enter' || e.key === ' ') && e.target.closest('.source')) { e.preventDefault(); open(e.target); }
});
"""

# Scroll the reader so the highlighted paragraph is in view: on each new value, and when the
# panel becomes visible (a hidden tab has no layout to scroll in).
READER_JS = """
const focus = () => {
  const hl = element.querySelector('.para.hl');
  const body = element.querySelector('.reader-body');
  if (!hl || !body || body.clientHeight === 0) return;
  const prev = hl.previousElementSibling;  // keep a short heading just above in view too
  const top = prev && hl.offsetTop - prev.offsetTop < 90 ? prev.offsetTop : hl.offsetTop;
  body.scrollTop = Math.max(0, top - 8);
};
watch('value', () => { focus(); setTimeout(focus, 150); });
new ResizeObserver(() => focus()).observe(element);
focus();
"""
