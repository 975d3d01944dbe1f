"""Views of an analysis: the terminal view (`proplens.views.terminal`). The HTML and Markdown
reports live in `proplens.render`."""
