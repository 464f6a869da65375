"""Where each metric's definition lives in the dbt docs site (`data/site/docs/`).

dbt's docs are an Angular app routed by the URL fragment: `#!/metric/<unique_id>` shows a
semantic-layer metric with its description (the metric's docs block, see
dbt_project/models/semantic/), `#!/model/<unique_id>` a model with its columns. A metric
with no semantic-layer entry links to the model whose column uses its docs block.
"""

import json
from pathlib import Path

DOCS_INDEX = "../docs/index.html"


def load_manifest(*candidates: Path) -> dict:
    for path in candidates:
        if path and path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return {}


def definition_href(metric_id: str, manifest: dict, docs_index: str = DOCS_INDEX) -> str:
    project = manifest.get("metadata", {}).get("project_name", "apipulse")
    metric_uid = f"metric.{project}.{metric_id}"
    if metric_uid in manifest.get("metrics", {}):
        return f"{docs_index}#!/metric/{metric_uid}"
    doc_uid = f"doc.{project}.metric_{metric_id}"
    for uid, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "model":
            continue
        for column in node.get("columns", {}).values():
            if doc_uid in (column.get("doc_blocks") or []):
                return f"{docs_index}#!/model/{uid}"
    return f"{docs_index}#!/seed/seed.{project}.metric_definitions"
