"""The k9s-style ``:`` command grammar: pure parsing and completion, shared by the prompt and the palette."""

from __future__ import annotations

from dataclasses import dataclass

AMI_CATEGORIES = ("quickstart", "mine", "marketplace", "community", "custom")

FREE: tuple[str, ...] = ("<name>",)
"""The argument of a command that takes any one word (a region's or a profile's name), checked by the app."""

COMMANDS: dict[str, tuple[str, ...]] = {
    "regions": (),
    "region": FREE,
    "profiles": (),
    "profile": FREE,
    "amis": AMI_CATEGORIES,
    "instances": (),
    "launch": (),
    "templates": (),
    "help": (),
    "quit": (),
}

ALIASES = {"q": "quit", "q!": "quit", "ami": "amis", "images": "amis", "ec2": "instances", "ctx": "profiles"}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str | None = None


class CommandError(ValueError):
    pass


def parse(text: str) -> Command:
    """Parse ``amis mine``, ``:instances``, ``regions`` …; raises CommandError with a helpful message."""
    words = text.strip().lstrip(":").split()
    if not words:
        raise CommandError("Type a command: " + ", ".join(COMMANDS))
    name = ALIASES.get(words[0].lower(), words[0].lower())
    if name == "region" and len(words) == 1:
        name = "regions"  # `:region` alone lists them, as it always did
    elif name == "profile" and len(words) == 1:
        name = "profiles"
    elif name in ("regions", "profiles") and len(words) == 2:
        name = name[:-1]  # `:regions eu-west-1` means the region
    if name not in COMMANDS:
        matches = [c for c in COMMANDS if c.startswith(name) and (c not in ("region", "profile") or len(words) == 2)]
        if len(matches) != 1:
            raise CommandError(f"Unknown command '{words[0]}'. Commands: {', '.join(COMMANDS)}")
        name = matches[0]
    arguments = COMMANDS[name]
    if len(words) > 2 or (len(words) == 2 and not arguments):
        raise CommandError(f"'{name}' takes {'one of: ' + ', '.join(arguments) if arguments else 'no argument'}")
    argument = None
    if len(words) == 2 and arguments is FREE:
        argument = words[1]
    elif len(words) == 2:
        wanted = words[1].lower()
        matches = [a for a in arguments if a.startswith(wanted)]
        if len(matches) != 1:
            raise CommandError(f"Unknown {name} argument '{words[1]}'. Choose one of: {', '.join(arguments)}")
        argument = matches[0]
    return Command(name, argument)


def completions() -> list[str]:
    """Every complete command line, for the prompt's suggester."""
    lines: list[str] = []
    for name, arguments in COMMANDS.items():
        if arguments is FREE:
            continue  # completed from live names by the prompt (regions, profiles)
        lines.append(name)
        lines.extend(f"{name} {a}" for a in arguments)
    return lines
