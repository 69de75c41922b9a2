"""Billing capability: data model, rules (services), seed data."""
