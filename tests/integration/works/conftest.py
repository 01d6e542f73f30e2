"""The negotiation scene (an estate, committee, owner, two invited suppliers) for works tests."""

from tests.integration.negotiation.conftest import scene

__all__ = ["scene"]
