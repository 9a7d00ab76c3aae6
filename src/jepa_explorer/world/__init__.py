"""World-model mode's Qt-free core: the procedural world, its implausible events, exploration data, the
world model's public calls and CEM planning in latent space.

    from jepa_explorer.world import World, plan
    world = World(seed=3); frame = world.reset(); frame = world.step([0.5, -1.0])
"""

from jepa_explorer.world.env import SIZE, World, WorldState, render
from jepa_explorer.world.events import EVENTS, Event, inject

# world bundles load with jepa_explorer.load_model (checkpoints/world.py): checkpoints/ reads files, world/ uses models
__all__ = ["SIZE", "World", "WorldState", "render", "EVENTS", "Event", "inject", "plan"]


def __getattr__(name: str):
    # torch-backed parts load on first use
    if name == "plan":
        from jepa_explorer.world.planning import plan

        return plan
    raise AttributeError(f"module 'jepa_explorer.world' has no attribute {name!r}")
