"""What stakeholders read: the scorecard page and the site index that links it with the
dbt docs and the Great Expectations Data Docs (all static, all offline)."""

from orchestration.reports.scorecard import build_scorecard
from orchestration.reports.site_index import write_site_index

__all__ = ["build_scorecard", "write_site_index"]
