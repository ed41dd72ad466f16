// KilnEngine: see docs/architecture.md
