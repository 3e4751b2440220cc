"""Named plug-ins of one sort (aggregation methods, candidate sources, output writers, formats).

A `Registry` keeps its entries in registration order and checks each entry once, when it is
registered: a name of lower-case letters, digits and underscores, aliases likewise, no name or
alias twice, and whatever the registry's own ``check`` demands. A bad plug-in is refused with a
`RegistrationError` that names it; the user never sees one, since plug-ins are code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar

from mca.core.errors import UserError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistrationError(ValueError):
    """A plug-in that does not meet its registry's contract."""


class Named(Protocol):
    """What every registered entry has: a name and other accepted spellings of it."""

    @property
    def name(self) -> str:
        """The registered name."""
        ...

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other accepted spellings of the name."""
        ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Entries of one sort by name, in registration order, each checked once when registered.

    ``what`` names the sort in messages ("aggregation method"); ``check(entry, registry)``
    raises ``ValueError`` or ``TypeError`` when an entry breaks the sort's own contract.
    """

    def __init__(self, what: str, check: Callable[[T, Registry[T]], None] | None = None) -> None:
        self.what = what
        self._check = check
        self._entries: dict[str, T] = {}
        self._spellings: dict[str, str] = {}

    def register(self, entry: T) -> T:
        """Add ``entry`` after checking it; gives the entry back (usable as a decorator)."""
        name = getattr(entry, "name", None)
        label = f"{self.what} {name!r}"
        try:
            for spelling in (name, *getattr(entry, "aliases", ())):
                if not isinstance(spelling, str) or not NAME_PATTERN.match(spelling):
                    raise ValueError(f"name or alias {spelling!r} must match {NAME_PATTERN.pattern}")
                if spelling in self._spellings:
                    raise ValueError(f"{spelling!r} is already taken by {self._spellings[spelling]!r}")
            if self._check is not None:
                self._check(entry, self)
        except (ValueError, TypeError, AttributeError) as exc:
            raise RegistrationError(f"cannot register {label}: {exc}") from exc
        self._entries[entry.name] = entry
        for spelling in (entry.name, *entry.aliases):
            self._spellings[spelling] = entry.name
        return entry

    def unregister(self, name: str) -> None:
        """Remove the entry called ``name`` and its aliases."""
        entry = self._entries.pop(name)
        for spelling in (entry.name, *entry.aliases):
            del self._spellings[spelling]

    @contextmanager
    def registered(self, entry: T) -> Iterator[T]:
        """``entry`` registered for the duration of a ``with`` block (tests, experiments)."""
        self.register(entry)
        try:
            yield entry
        finally:
            self.unregister(entry.name)

    def get(self, name: str, *, source: str | None = None, field: str | None = None) -> T:
        """The entry called ``name`` or one of its aliases; a `UserError` listing the choices."""
        if name not in self._spellings:
            raise UserError(
                f"unknown {self.what} {name!r}; use one of {', '.join(self.spellings())}",
                source=source,
                field=field,
            )
        return self._entries[self._spellings[name]]

    def names(self) -> tuple[str, ...]:
        """The entries' names, in registration order."""
        return tuple(self._entries)

    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling: each name followed by its aliases, in registration order."""
        return tuple(s for entry in self._entries.values() for s in (entry.name, *entry.aliases))

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._spellings
