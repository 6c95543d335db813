"""Every page a patient uses, one module per family of pages."""
