"""The launch feature: the form (screen, sections, pure state), its lookups, draft and review."""
