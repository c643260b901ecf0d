"""The model hub: finding, fetching and verifying the configured models (Hugging Face
cache layout, offline mode, local directories) and choosing the device."""
