"""Statistics (one service for pages, API and exports) and reports: XLSX, PDF, CSV, ClaimReview.

Modules: `stats` (the statistics service), `periods`, `document` (a report's content and
tables), `xlsx`, `pdf`, `csv_export`, `claimreview`, `svg` (dashboard charts and map),
`generate` (render one format; scheduled weekly/monthly generation), `safe_cell` (spreadsheet
formula neutralisation, for every export).
"""
