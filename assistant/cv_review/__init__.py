"""CV review for UK social-care jobs: safe parsing, deterministic checks, a translated report.

Kept import-free: the parsing subprocess (`worker.py`) imports this package and must start fast.
The flow is `review.CvReviewer.review`.
"""
