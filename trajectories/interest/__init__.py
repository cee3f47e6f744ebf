"""The interest list of a track: "keep me posted" until an edition opens registration."""
