"""Consent and everything a clinician sees, one module per family of pages."""
