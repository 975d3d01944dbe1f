"""Views of an analysis, one module each, all reading the one analysis JSON.

- `analysis`: the JSON itself (`analysis(doc, model_info(pipeline))`), what the API returns and
  `analyze --format json` prints;
- `terminal`: the article with numbered marks, explained, for `analyze --format text`;
- `html`: the self-contained report (`analyze --format html`, `POST /api/report`), drawn by the
  web page's own `render.js`;
- `markdown`: the Markdown report (`analyze --format md`).

Example:
    >>> import proplens
    >>> from proplens.views import analysis, model_info, render_markdown
    >>> nlp = proplens.load()
    >>> md = render_markdown(analysis(nlp("They are cowardly traitors."), model_info(nlp)))
"""

from __future__ import annotations

from proplens.views.analysis import analysis, model_info
from proplens.views.html import render_report
from proplens.views.markdown import render_markdown
from proplens.views.terminal import render_plain

__all__ = ["analysis", "model_info", "render_markdown", "render_plain", "render_report"]
