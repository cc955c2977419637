"""Where a graph is kept and served: store (an on-disk Oxigraph store, bulk-loaded), serve (a
local SPARQL endpoint), remote (SPARQL endpoints and triple-store presets: query, load, retry)."""
