"""The deterministic, coherent sample world: every source's files in its real format.

    from orchestration.sample_data import WorldParams, generate_world
    summary = generate_world(Path("data/sample"), WorldParams(days=10), progress=True)

Same params, byte-identical files. `world.json` records the planted facts (incidents, the
silent outage, the onboarding experiment, partners) that tests and quality checks look for.
"""

from orchestration.sample_data.params import WorldParams, WorldSummary
from orchestration.sample_data.world import generate_world

__all__ = ["WorldParams", "WorldSummary", "generate_world"]
