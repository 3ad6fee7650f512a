"""The handout's low-level ink: fonts and metrics, line breaking, the text writer, path operators and
the QR image mask. The only code in hepbuilder/pdf that touches reportlab internals (README.md)."""
