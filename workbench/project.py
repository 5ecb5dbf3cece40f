"""A project on disk: a directory with workbench.toml, workbench.db and models/."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.errors import ProjectError
from workbench.store import open_db
from workbench.store.db import writable
from workbench.store.rounds import active_model

CONFIG_NAME = "workbench.toml"
DB_NAME = "workbench.db"
MODELS_DIR = "models"
DEFAULT_LABELS = ("Chemical", "Disease")
DEFAULT_BASE_MODEL = "dmis-lab/biobert-base-cased-v1.1"
# Distinct on dark and light terminals; label n gets colour n.
PALETTE = (
    "magenta",
    "cyan",
    "yellow",
    "green",
    "red",
    "blue",
    "bright_magenta",
    "bright_cyan",
    "bright_yellow",
)
_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    colour: str


@dataclass
class Config:
    labels: list[Label]
    base_model: str = DEFAULT_BASE_MODEL
    device: str = "auto"
    strategy: str = "mnlp"
    batch_size: int = 50
    double_annotation: float = 0.0  # share of pool documents two annotators annotate
    pool_sample: int | None = None  # pool documents a round scores (None: the rule; 0: all)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label_names(self) -> list[str]:
        return [lab.name for lab in self.labels]


def parse_labels(spec: str) -> list[Label]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise ProjectError("give at least one label, e.g. --labels Chemical,Disease")
    if len(names) > 9:
        raise ProjectError(f"at most 9 labels (keys 1..9); got {len(names)}")
    for n in names:
        if not _LABEL.match(n):
            raise ProjectError(
                f"label {n!r} must start with a letter and hold only letters, digits, '_' or '.'"
            )
    if len(set(names)) != len(names):
        raise ProjectError("a label is named twice")
    return [Label(n, str(i), PALETTE[i - 1]) for i, n in enumerate(names, start=1)]


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def render_config(cfg: Config) -> str:
    lines = [
        "# workbench project settings",
        f"base_model = {_toml_str(cfg.base_model)}",
        f"device = {_toml_str(cfg.device)}",
        f"strategy = {_toml_str(cfg.strategy)}",
        f"batch_size = {cfg.batch_size}",
        "# share of pool documents annotated by two annotators independently (0 to 1)",
        f"double_annotation = {cfg.double_annotation}",
        "# pool documents a retrain round scores, drawn afresh each round (0: all); unset, 1000",
        "# or ten batches, whichever is more",
        f"pool_sample = {cfg.pool_sample}" if cfg.pool_sample is not None else "# pool_sample = 0",
        "",
    ]
    for lab in cfg.labels:
        lines += [
            "[[labels]]",
            f"name = {_toml_str(lab.name)}",
            f"key = {_toml_str(lab.key)}",
            f"colour = {_toml_str(lab.colour)}",
            "",
        ]
    return "\n".join(lines)


class _LabelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    key: str
    colour: str

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _LABEL.match(v):
            raise ValueError(
                f"{v!r}: a label starts with a letter and holds letters, digits, '_' or '.'"
            )
        return v

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if v not in "123456789" or len(v) != 1:
            raise ValueError(f"{v!r}: a label's key is one of 1..9")
        return v

    @field_validator("colour")
    @classmethod
    def _colour(cls, v: str) -> str:
        from rich.color import Color, ColorParseError

        try:
            Color.parse(v)
        except ColorParseError:
            raise ValueError(f"{v!r} is not a colour (a name such as cyan, or #rrggbb)") from None
        return v


class _Settings(BaseModel):
    """workbench.toml, checked on every load: one line names a bad key."""

    model_config = ConfigDict(extra="forbid")
    base_model: str = DEFAULT_BASE_MODEL
    device: Literal["auto", "cpu", "cuda"] = "auto"
    strategy: Literal["random", "lc", "mnlp", "entropy", "bald"] = "mnlp"
    batch_size: int = Field(50, ge=1)
    double_annotation: float = Field(0.0, ge=0.0, le=1.0)
    pool_sample: int | None = Field(None, ge=0)
    labels: list[_LabelSettings] = Field(min_length=1, max_length=9)

    @field_validator("labels")
    @classmethod
    def _unique(cls, v: list[_LabelSettings]) -> list[_LabelSettings]:
        for what in ("name", "key"):
            seen = [getattr(x, what) for x in v]
            twice = sorted({x for x in seen if seen.count(x) > 1})
            if twice:
                raise ValueError(f"two labels have the {what} {twice[0]!r}")
        return v


def load_config(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{path}: missing; run `workbench init`") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid TOML ({exc})") from None
    try:
        s = _Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"]) or "(top level)"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "not a setting workbench knows (a typo?)"
        raise ProjectError(f"{path}: {key}: {message}") from None
    return Config(
        labels=[Label(x.name, x.key, x.colour) for x in s.labels],
        base_model=s.base_model,
        device=s.device,
        strategy=s.strategy,
        batch_size=s.batch_size,
        double_annotation=s.double_annotation,
        pool_sample=s.pool_sample,
    )


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def models_dir(self) -> Path:
        return self.root / MODELS_DIR

    def connect(
        self, *, check_same_thread: bool = True, readonly: bool | None = None
    ) -> sqlite3.Connection:
        """The project's database, migrated; never created here (only `init` makes one).
        Read-only where the files cannot be written (None), or when asked."""
        if readonly is None:
            readonly = self.db_path.exists() and not writable(self.db_path)
        return open_db(
            self.db_path, check_same_thread=check_same_thread, create=False, readonly=readonly
        )

    def model_dir(self, stored_path: str) -> Path:
        """A model path as the database stores it (relative to the root, or absolute)."""
        path = Path(stored_path)
        return path if path.is_absolute() else self.root / path

    def active_model_dir(self) -> Path | None:
        conn = self.connect()
        try:
            model = active_model(conn)
        finally:
            conn.close()
        return None if model is None else self.model_dir(model.path)


def init_project(root: Path, labels: str, base_model: str = DEFAULT_BASE_MODEL) -> Project:
    cfg = Config(labels=parse_labels(labels), base_model=base_model)
    if (root / CONFIG_NAME).exists():
        raise ProjectError(f"{root}: already a workbench project ({CONFIG_NAME} exists)")
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root}: exists and is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    (root / MODELS_DIR).mkdir(exist_ok=True)
    open_db(root / DB_NAME).close()
    tmp = root / (CONFIG_NAME + ".tmp")
    tmp.write_text(render_config(cfg), "utf-8")
    tmp.replace(root / CONFIG_NAME)
    return Project(root, cfg)


def find_project(option: Path | None = None) -> Project:
    """--project, then $WORKBENCH_PROJECT, then the current directory."""
    env = os.environ.get("WORKBENCH_PROJECT")
    root = option or (Path(env) if env else Path.cwd())
    if not (root / CONFIG_NAME).is_file():
        how = "--project" if option else ("WORKBENCH_PROJECT" if env else "the current directory")
        raise ProjectError(
            f"{root} is not a workbench project (from {how}); run `workbench init {root}` first"
        )
    return Project(root, load_config(root / CONFIG_NAME))
