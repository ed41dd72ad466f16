// KilnPlanner: see docs/architecture.md
