"""The model layer's user-facing failures."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class ModelError(WorkbenchError):
    """No model, a model directory that cannot be loaded, a training run that cannot start."""

    exit_code = 4
