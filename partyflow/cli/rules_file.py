"""Which rules file a command uses: the one place that decides.

In order: the file given on the command line (``--rules``, or ``validate FILE``), else the
environment variable ``PARTYFLOW_RULES``, else ``./config/rules.yaml`` if it exists, else the
copy shipped inside the package (``partyflow/data/rules.yaml``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from partyflow import data
from partyflow.errors import Text

ENV = "PARTYFLOW_RULES"
LOCAL = Path("config") / "rules.yaml"

Source = Literal["given", "env", "local", "packaged"]

HELP = Text(
    f"规则文件；未给出时依次取环境变量 {ENV}、./config/rules.yaml（若存在）、随包附带的规则",
    f"rules file; if not given: ${ENV}, else ./config/rules.yaml if it exists, else the "
    "rules shipped with the package",
)
"""The ``--rules`` help text of every command that takes it."""


@dataclass(frozen=True)
class RulesChoice:
    """The rules file chosen and where the choice came from."""

    path: Path
    source: Source

    def note(self) -> Text | None:
        """What to say on stderr about the choice: only for the packaged fallback."""
        if self.source != "packaged":
            return None
        return Text(
            f"当前目录没有 config/rules.yaml，使用随包附带的规则 {self.path}"
            f"（用 --rules 或 {ENV} 指定文件；partyflow init DIR 写出可编辑的副本）",
            f"no config/rules.yaml in this directory: using the rules shipped with the "
            f"package, {self.path} (choose a file with --rules or ${ENV}; "
            "`partyflow init DIR` writes a copy to edit)",
        )


def choose_rules(given: Path | None) -> RulesChoice:
    """The rules file to use when ``given`` (a command-line path) may be missing."""
    if given is not None:
        return RulesChoice(given, "given")
    env = os.environ.get(ENV, "")
    if env.strip():
        return RulesChoice(Path(env), "env")
    if LOCAL.is_file():
        return RulesChoice(LOCAL, "local")
    return RulesChoice(data.RULES, "packaged")
