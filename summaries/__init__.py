"""Principal and district summaries: figures aggregated in the database, never tip text.

periods     which calendar days a summary covers, in the school's (or district's) time zone
figures     the aggregations (one grouped query per table; percentiles in the database)
suppression small counts shown as "<N" so a cell cannot identify a student
charts      accessible server-side SVG, each chart beside its data table
exports     CSV of every table, the de-identified case list and the annual report
"""
