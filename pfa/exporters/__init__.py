"""Exporters: trained models → PFA documents."""
