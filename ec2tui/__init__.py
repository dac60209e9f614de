"""ec2tui: a keyboard-native terminal UI for browsing and launching Amazon EC2."""

__version__ = "0.1.0"
