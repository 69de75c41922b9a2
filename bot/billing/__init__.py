"""Billing capability: customers, accounts, invoices, bill changes and verification."""
