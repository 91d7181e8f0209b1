"""The HTML report: one page, escaped, no script, no network; its findings and its legend."""
