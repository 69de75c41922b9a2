"""Custom actions of the billing support bot (rasa-sdk). They talk to the back end over HTTP only."""
