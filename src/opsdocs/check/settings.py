"""``[tool.opsdocs.check]`` and the document profiles, validated.

Profiles may be declared in ``[tool.opsdocs.profiles.NAME]`` or
``[tool.opsdocs.check.profiles.NAME]``. A profile gives a team's own document shape: which files
it covers (``paths`` globs, or documents whose front-matter ``kind`` is the profile's name or
``kind``), the required sections in order, and how the title is checked.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from opsdocs.config import Config, config_error, validate_section

__all__ = ["CheckSettings", "Profile", "load_settings"]


class Profile(BaseModel):
    """A document shape declared in the configuration."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(
        default_factory=list,
        description="Globs (relative to the workspace root or the checked folder) it covers.",
    )
    kind: str | None = Field(
        default=None, description="Front-matter kind it covers (default: the profile's name)."
    )
    sections: list[str] | None = Field(
        default=None, description="Required level-2 sections, in order."
    )
    guidance: dict[str, str] = Field(
        default_factory=dict, description="Guidance line per section, used by --fix."
    )
    order: bool = Field(default=True, description="Whether the sections must be in order.")
    title: Literal["front-matter", "file-stem", "any"] = Field(
        default="front-matter",
        description="What the H1 must equal: the front-matter title, the file name, or anything.",
    )
    front_matter: Literal["required", "optional"] | None = Field(
        default=None,
        description=(
            "Whether front matter is required (default: required for a built-in kind, "
            "optional otherwise)."
        ),
    )

    def matching_pattern(self, relative_paths: list[str]) -> str | None:
        """The first of :attr:`paths` that matches one of the document's relative paths (or,
        for a glob without '/', its file name); None when none does."""
        import re

        for pattern in self.paths:
            candidates = (
                relative_paths if "/" in pattern else [PurePosixPath(relative_paths[0]).name]
            )
            if any(re.fullmatch(glob_regex(pattern), rel) for rel in candidates):
                return pattern
        return None


def glob_regex(pattern: str) -> str:
    """The regular expression of a ``**``-aware glob over relative POSIX paths (``**/`` is zero
    or more folders, ``*`` and ``?`` stay inside one part; Python 3.11 has no full_match)."""
    import re

    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return regex


class CheckSettings(BaseModel):
    """``[tool.opsdocs.check]``."""

    model_config = ConfigDict(extra="forbid")

    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    strict: bool = False
    cache: bool = True
    cache_dir: str = ".opsdocs/cache"
    jobs: int | None = Field(default=None, ge=1, le=64)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    review_every: str = "90d"  # from [tool.opsdocs] review_every, not set here
    owners: list[str] = Field(default_factory=list)  # from [tool.opsdocs] owners, not set here
    # Other features' tables ([tool.opsdocs.slo], ...), for the rules those features contribute.
    features: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def effective(self) -> dict[str, Any]:
        """The whole effective configuration of a check run, in order (the first profile whose
        paths match a file wins, so the order of profiles is part of it): the cache's key."""
        return {**self.model_dump(mode="json"), "features": self.features}


def load_settings(config: Config) -> CheckSettings:
    """The check settings of ``config``; raises :class:`ConfigError` naming the bad key."""
    table: dict[str, Any] = config.section("check")
    top_profiles = config.section("profiles")
    table.pop("review_every", None)
    table.pop("owners", None)
    if "features" in table:
        raise config_error(
            config.source, ("check", "features"), "unknown key", hint="see docs/check.md"
        )
    hint = "see docs/check.md"
    settings = validate_section(CheckSettings, table, config.source, ("check",), hint=hint)
    for name, raw in top_profiles.items():
        profile = validate_section(Profile, raw, config.source, ("profiles", name), hint=hint)
        if name in settings.profiles:
            raise config_error(
                config.source,
                ("check", "profiles", name),
                f"profile {name!r} is declared twice",
                hint=f"keep one of profiles.{name} and check.profiles.{name}",
            )
        settings.profiles[name] = profile
    settings.review_every = config.review_every
    settings.owners = list(config.owners)
    settings.features = {
        name: value for name, value in config.sections.items() if name not in ("check", "profiles")
    }
    return settings
