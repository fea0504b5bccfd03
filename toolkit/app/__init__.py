"""The clerk's desk: `toolkit serve`, a local web page over the library (web.create_app)."""
