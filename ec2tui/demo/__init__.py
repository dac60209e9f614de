"""``ec2tui --demo``: the real app against an in-process moto server seeded with realistic data."""
