"""Plugin settings modules (``plugin_settings(settings)`` each), applied by the host's plugin loader."""
