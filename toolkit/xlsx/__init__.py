"""The workbook writers' shared parts: `style` (every format, colour,
row-height rule, page setup and text limit) and `leaders` (the consolidated
workbook for leaders). The writers receive decisions and never make them."""
