"""PDF reports: engine results -> matplotlib SVG charts -> Jinja HTML/CSS -> WeasyPrint."""
