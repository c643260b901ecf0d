"""Finding, fetching and loading the configured models."""
