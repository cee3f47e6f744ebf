"""Open interfaces: the read-only JSON API and its OpenAPI document, schema.org JSON-LD of the
track pages, and the organisers' embeddable catalogue (the origins allowed to frame it)."""
