"""Rules: decisions made from the model (which file counts, …), apart from
the stages that apply them and the writers that show them."""
