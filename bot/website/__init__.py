"""The customer-facing website chat page (http://localhost:8000/)."""
