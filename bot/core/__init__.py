"""Shared by every process: settings, contacts, opening hours, areas, text folding, the shape
of chat messages, the API's request rules and interface strings. Imports nothing else from
`bot`, and no ML library."""
