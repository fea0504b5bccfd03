"""Word documents the toolkit writes: the 通报 draft (toolkit.docx.brief)."""
