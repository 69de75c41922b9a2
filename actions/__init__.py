"""Custom actions of the billing support bot (rasa-sdk); they reach the back end over HTTP only."""
