"""Word papers: rendering templates safely, accessibility checks, PDF conversion."""
