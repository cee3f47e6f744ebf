"""Mail: the outbox (every mail is a row first), rendering, the SMTP transport and preferences."""
