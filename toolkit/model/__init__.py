"""The types every stage shares (see DESIGN.md): a return as read, and the
results made of it. Stages refer to returns by their id, never by position."""
