"""Human handoff: tickets, the queue, agents and the agent desk."""
