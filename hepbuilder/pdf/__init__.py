"""PDF layer: handout spec in, PDF bytes out (reportlab). Imports domain, library and illustrations only; never Flask, the database or app config."""
