"""The schedule of an edition: sessions, materials and deadlines."""
