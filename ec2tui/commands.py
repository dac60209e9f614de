"""The k9s-style ``:`` command grammar: pure parsing and completion, shared by the prompt and the palette."""

from __future__ import annotations

from dataclasses import dataclass

AMI_CATEGORIES = ("quickstart", "mine", "marketplace", "community", "custom")

COMMANDS: dict[str, tuple[str, ...]] = {
    "regions": (),
    "amis": AMI_CATEGORIES,
    "instances": (),
    "launch": (),
    "templates": (),
    "help": (),
    "quit": (),
}

ALIASES = {"q": "quit", "q!": "quit", "ami": "amis", "images": "amis", "ec2": "instances", "region": "regions"}


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
    if name not in COMMANDS:
        matches = [c for c in COMMANDS if c.startswith(name)]
        if len(matches) != 1:
            raise CommandError(f"Unknown command '{words[0]}'. Commands: {', '.join(COMMANDS)}")
        name = matches[0]
    arguments = COMMANDS[name]
    if len(words) > 2 or (len(words) == 2 and not arguments):
        raise CommandError(f"'{name}' takes {'one of: ' + ', '.join(arguments) if arguments else 'no argument'}")
    argument = None
    if len(words) == 2:
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
        lines.append(name)
        lines.extend(f"{name} {a}" for a in arguments)
    return lines
